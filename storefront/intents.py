"""What a buyer's message asks for, before it is searched: a greeting, a question about shipping,
an order or a refund, a wish to talk to a person, "add 2 travel mugs", or else a search.

A small data-driven classifier, channel-neutral and pure (no database): phrase tables per
shipped language (en, zh, es, ru, de, fr, pt, ar), read in every language at once since buyers
mix them, and a few rules:

* chit-chat and menu questions (greeting, thanks, goodbye, help, "what do you sell") count only
  when the message is made of nothing else: "hello" is a greeting, "what do you have in blue" a
  search. A leading greeting is dropped and the rest classified ("hi, do you ship to Spain?");
* topic questions (returns, order status, a person, shipping) count wherever their phrase
  appears, in that order of precedence ("where is my order, it was shipped" is about the order,
  not shipping); payment words count after cart commands ("pay" is rarely a product), except
  cash on delivery, which is checked first ("contra reembolso" is no refund);
* a comparison ("compare the two mugs", "compare 1 and 3") counts wherever its phrase appears,
  after the topic questions: it is about the last results, whose numbers it may name;
* a cart command is an add verb at the start or a "to my cart" phrase: what remains names the
  product ("add 2 insulated travel mugs" → "2 insulated travel mugs");
* anything else is a search, with the buyer's framing taken off ("do you have red mugs?" →
  "red mugs") and a recipient turned into what the catalog tags ("gift for my mom" → "gift").

Texts are folded as the search engine folds them (case, accents, Arabic letter variants), and
punctuation becomes space. Latin and Cyrillic phrases match whole words (a trailing ``*`` makes
the last one a prefix); Chinese, Japanese and Arabic phrases match anywhere, since those write
no spaces or glue particles to words. The tables are built on first use, not at import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Final

from babel import Locale

from catalog.search.text import fold

MAX_READ: Final = 300  # characters: a question is short; a longer text is a search (or refused)


class Intent(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    HELP = "help"
    CATALOG = "catalog"  # what do you sell
    ORDER_STATUS = "order_status"
    SHIPPING = "shipping"
    PAYMENT = "payment"
    RETURNS = "returns"
    HUMAN = "human"  # talk to a person at the shop
    CART_ADD = "cart_add"
    COMPARE = "compare"  # the last results side by side
    SEARCH = "search"


@dataclass(frozen=True, slots=True)
class Understood:
    intent: Intent
    text: str = ""  # for SEARCH and CART_ADD: the product words; COMPARE: the message
    country: str | None = None  # for SHIPPING: the ISO code of a country the buyer named
    topic: str = ""  # for SHIPPING: "time" when the buyer asked how long, else ""


# -- phrase tables (as typed; folded on first use) ---------------------------------------------

_GREETING = """
en: hi | hello | hey | hiya | howdy | hallo | helo | hello there | good morning |
    good afternoon | good evening | morning | yo | sup | greetings | hi there | hey there
zh: 你好 | 您好 | 嗨 | 哈喽 | 哈啰 | 早上好 | 晚上好 | 下午好 | 在吗 | 在不在 | 喂 | 大家好 |
    早安
es: hola | holaa | holi | holis | buenas | buenos dias | buenas tardes | buenas noches |
    que tal | saludos | ola
ru: привет | приветик | приветствую вас | здравствуйте | здрасте | здравствуй | добрый день |
    доброе утро | добрый вечер | приветствую | хай | салют | алло | здорово
de: hallo | hi | moin | servus | guten tag | guten morgen | guten abend | gruss gott | tag |
    hey
fr: bonjour | salut | bonsoir | coucou | allo | bjr | slt | bonne journee
pt: ola | oi | bom dia | boa tarde | boa noite | e ai | eae | opa | tudo bem | tudo bom
ar: مرحبا | السلام عليكم | اهلا | أهلا | اهلا وسهلا | صباح الخير | مساء الخير | هلا |
    سلام عليكم | مرحبتين
"""

_THANKS = """
en: thanks | thank you | thank u | thx | ty | thanks a lot | many thanks | cheers |
    much appreciated | appreciate it | thank you so much | tysm | thankyou | thnx | thanx
zh: 谢谢 | 多谢 | 感谢 | 谢了 | 谢啦 | 非常感谢 | 谢谢你 | 3q
es: gracias | muchas gracias | mil gracias | te lo agradezco | muy amable | grax
ru: спасибо | спс | благодарю | спасибки | пасиб | пасибо | спасибо большое | большое спасибо
de: danke | danke schon | vielen dank | dankeschon | besten dank | herzlichen dank | merci |
    thx
fr: merci | merci beaucoup | je vous remercie | merci bien | mrc | thanks
pt: obrigado | obrigada | valeu | brigado | brigada | muito obrigado | muito obrigada | vlw |
    obg
ar: شكرا | شكراً | شكرا جزيلا | مشكور | مشكورين | الف شكر | يعطيك العافية | تسلم
"""

_GOODBYE = """
en: bye | goodbye | good bye | bye bye | see you | see ya | cya | good night | later |
    see you later | have a nice day | take care
zh: 再见 | 拜拜 | 拜 | 回头见 | 晚安 | 下次见 | 88
es: adios | chao | chau | hasta luego | hasta pronto | nos vemos | hasta manana
ru: пока | до свидания | всего доброго | до встречи | спокойной ночи | бывай | всего хорошего
de: tschuss | auf wiedersehen | bis bald | bis dann | ciao | gute nacht | bis spater |
    schonen tag
fr: au revoir | a bientot | bonne soiree | bonne nuit | a plus | ciao | adieu | a toute
pt: tchau | ate logo | ate mais | adeus | falou | ate breve | boa noite
ar: مع السلامة | وداعا | الى اللقاء | تصبح على خير | باي | في امان الله
"""

_FILLER = """
en: ok | okay | oh | ah | so | very | much | a lot | lot | great | cool | nice | perfect |
    awesome | good | fine | alright | again | there | bot | guys | everyone | all | and | you |
    dear | for | the | your | me | please | pls | friend | shop | store | it | that | for that |
    for the help | help | helping | i | am | just | now | bye | thank | thanks | have | a |
    day | nice day | here | in | is | this | what | s | about | hey | u | sir | mate | buddy |
    man
zh: 好 | 好的 | 的 | 了 | 吗 | 呢 | 啊 | 呀 | 吧 | 哦 | 嘛 | 你 | 们 | 哈 | 非常 | 太 | 谢 |
    亲 | 老板 | 您 | 一下 | 请问 | 请 | 这里 | 店 | 店里 | 都 | 可以 | 我 | 啦 | 嗯
es: ok | vale | muy | muchas | mucho | genial | perfecto | bien | buenisimo | amigo | amiga |
    y | por | todo | tu | ayuda | la | el | los | las | de | usted | senor | entonces |
    gracias | que | hay | aqui | en | tienda | me | a | todos
ru: ок | окей | хорошо | отлично | супер | большое | огромное | вам | тебе | за | помощь | все |
    понятно | ясно | и | ну | добрый | друг | ребята | уважаемый | а | у | вас | в | магазине |
    здесь | мне | что | это | ладно | давай | всем
de: ok | okay | super | toll | prima | perfekt | gut | vielen | vielmals | fur | die | hilfe |
    dir | euch | ihnen | und | alles | nochmal | leute | schon | sehr | ja | na | was | ihr |
    hier | im | laden | bei | mir | es
fr: ok | super | parfait | genial | tres | bien | beaucoup | pour | votre | ton | aide | et |
    tout | le | monde | encore | a | vous | toi | la | les | des | ici | chez | dans |
    boutique | me | de | tous | toutes
pt: ok | beleza | otimo | perfeito | legal | muito | pela | ajuda | e | todos | tudo | voce |
    voces | obrigado | obrigada | a | o | de | pelo | aqui | na | loja | me | amigo | moco |
    moca | que | show | top | massa
ar: تمام | حسنا | جزيلا | جدا | لك | لكم | على | المساعدة | و | يا | اخي | اختي | كثير | هنا |
    في | المتجر | ماذا | عندكم
"""

_HELP = """
en: help | help me | help please | how does this work | how does it work | how do i use this |
    how to use | what can you do | what do you do | how do i order | how to order |
    how do i buy | how to buy | how does the bot work | commands | instructions |
    how do i shop | menu | info
zh: 帮助 | 帮忙 | 怎么用 | 怎么买 | 你能做什么 | 你会什么 | 如何下单 | 怎么下单 | 使用说明 |
    怎么购买 | 菜单 | 说明
es: ayuda | ayudame | como funciona | que puedes hacer | como compro | como comprar |
    como se usa | como hago un pedido | instrucciones | menu | informacion
ru: помощь | помоги | помогите | как это работает | что ты умеешь | как заказать | как купить |
    как пользоваться | инструкция | команды | меню | справка | хелп
de: hilfe | wie funktioniert das | wie funktioniert | was kannst du | wie bestelle ich |
    wie kaufe ich | anleitung | befehle | menu | hilf mir
fr: aide | aidez moi | aide moi | comment ca marche | que sais tu faire | comment commander |
    comment acheter | mode d emploi | menu | comment ca fonctionne
pt: ajuda | me ajuda | como funciona | o que voce faz | como comprar | como faco um pedido |
    como usar | instrucoes | menu | socorro
ar: مساعدة | ساعدني | كيف يعمل | كيف اشتري | ماذا تستطيع | كيف اطلب | طريقة الطلب | القائمة
"""

_CATALOG = """
en: what do you sell | what do you have | what have you got | what can i buy | categories |
    catalog | catalogue | what products | show me everything | what s available |
    what is for sale | what do you offer | what kind of products | what you sell | everything |
    all products | what do u sell | what do you guys sell | browse | products |
    list of products
zh: 卖什么 | 有什么 | 有哪些 | 商品分类 | 分类 | 目录 | 都有啥 | 有啥 | 卖啥 | 都卖什么 |
    什么商品 | 所有商品 | 商品列表 | 全部商品
es: que venden | que vendes | que tienen | que tienes | categorias | catalogo | que productos |
    todos los productos | que ofrecen | que hay | que venden aqui | que puedo comprar
ru: что продаете | что продаёте | что есть | что у вас есть | каталог | категории |
    ассортимент | что можно купить | какие товары | все товары | что вы продаете |
    что в продаже | чем торгуете
de: was verkauft ihr | was verkaufen sie | was habt ihr | was haben sie | was gibt es |
    kategorien | katalog | sortiment | was bietet ihr | welche produkte | alle produkte |
    was kann ich kaufen
fr: que vendez vous | vous vendez quoi | qu avez vous | categories | catalogue |
    quels produits | tous les produits | qu est ce que vous vendez | que proposez vous |
    vous avez quoi
pt: o que voces vendem | o que vende | o que tem | o que voces tem | categorias | catalogo |
    quais produtos | todos os produtos | o que posso comprar | o que vcs vendem | o que tem ai
ar: ماذا تبيع | ماذا تبيعون | ماذا لديكم | ايش عندكم | الفئات | الكتالوج | المنتجات المتوفرة |
    ما هي المنتجات | كل المنتجات | شو عندكم | المنتجات
"""

_ORDER_STATUS = """
en: where is my order | my order | order status | track my* | tracking | where is my package |
    where s my order | wheres my order | has my order | when will my order | my parcel |
    my package | delivery status | status of my order | my purchase | order number | my orders |
    track order | track package | when will it arrive | when does it arrive | did you ship
zh: 我的订单 | 订单状态 | 物流 | 快递到哪 | 到哪了 | 查订单 | 发货了吗 | 什么时候发货 | 订单号 |
    查询订单 | 我的包裹 | 包裹 | 订单到 | 订单呢 | 订单怎么 | 还没到 | 还没收到 | 运单
es: mi pedido | estado del pedido | estado de mi pedido | donde esta mi* | seguimiento |
    mi paquete | mi orden | mis pedidos | rastrear | mi compra | cuando llega mi |
    no ha llegado | numero de pedido
ru: мой заказ | моего заказа | мои заказы | где заказ | где мой | статус заказа |
    где моя посылка | трек | отследить | мою посылку | моя посылка | заказ отправлен |
    номер заказа | когда придет мой | мой заказ не пришел | отслеживание | моим заказом |
    мой заказ
de: meine bestellung | meiner bestellung | bestellstatus | wo ist mein* | sendungsverfolgung |
    mein paket | meine bestellungen | sendungsnummer | wann kommt mein* | bestellnummer |
    status meiner | wo bleibt mein*
fr: ma commande | mes commandes | statut de commande | statut de ma commande |
    suivi de commande | mon colis | ou en est ma | ou est ma commande | numero de suivi |
    suivre ma | quand arrive ma | pas recu ma
pt: meu pedido | meus pedidos | status do pedido | rastreio | rastrear | minha encomenda |
    cade meu* | onde esta meu* | codigo de rastreio | minha compra | quando chega meu* |
    numero do pedido
ar: طلبي | حالة الطلب | اين طلبي | تتبع | شحنتي | طلبيتي | رقم الطلب | متى يصل طلبي | وين طلبي
"""

_RETURNS = """
en: return | returns | refund* | exchange | money back | warranty | guarantee | policy |
    policies | send it back | send back | returning | give back | return policy | can i return
zh: 退货 | 退款 | 换货 | 退换 | 保修 | 售后 | 七天无理由 | 退钱 | 能退 | 可以退
es: devolucion | devoluciones | devolver | reembolso | garantia | politica |
    cambiar el producto | cambios y devoluciones | puedo cambiar
ru: возврат* | вернуть | обмен* | гарант* | вернуть деньги | возвращ* | политика
de: ruckgabe | zuruckgeben | zurucksenden | zuruckschicken | umtausch* | erstattung |
    ruckerstattung | garantie | widerruf* | umtauschen
fr: retour* | rembours* | echange* | garantie | renvoyer | politique | retourner
pt: devolu* | devolver | reembolso | troca | trocar | garantia | politica | estorno
ar: ارجاع | استرجاع | استرداد | ضمان | استبدال | سياسة | ارجع | الاسترجاع
"""

_HUMAN = """
en: talk to a person | speak to | talk to | human | real person | operator | agent |
    customer service | customer support | contact the shop | contact the seller |
    ask the seller | ask the shop | manager | talk to someone | someone real | a person |
    live chat | contact you | contact shop | question for the shop | question for the seller |
    message the seller
zh: 人工 | 客服 | 联系商家 | 联系卖家 | 真人 | 转人工 | 问商家 | 问卖家 | 联系店家 | 找老板 |
    联系你们
es: hablar con | una persona | humano | atencion al cliente | operador | vendedor | contactar |
    agente | alguien real | servicio al cliente | preguntarle a la tienda |
    preguntar a la tienda
ru: оператор* | живой человек | человеком | менеджер* | поддержк* | связаться | продавц* |
    живым человеком | с человеком | позовите | консультант*
de: mitarbeiter | mensch | menschen | kundenservice | kundendienst | support | verkaufer |
    ansprechpartner | kontakt | sprechen | kontaktieren | echte person
fr: parler a | humain | conseiller | service client | vendeur | une personne | contacter |
    quelqu un | vraie personne | support | agent
pt: atendente | falar com | humano | uma pessoa | vendedor | suporte | atendimento | contato |
    pessoa real | falar com alguem | contatar
ar: موظف | شخص حقيقي | خدمة العملاء | التحدث مع | البائع | الدعم | انسان | مع شخص | التواصل مع |
    اكلم | اتكلم
"""

_SHIPPING = """
en: ship to | ship* | deliver* | postage | how long does it take | how long to |
    how long will it take | send to | courier | free shipping | how long for | how many days |
    send it to | post to | arrive in
zh: 运费 | 包邮 | 配送 | 发货到 | 寄到 | 送到 | 能寄 | 快递费 | 多久能到 | 几天到 | 邮费 |
    运送 | 发到 | 寄往 | 送货 | 多久到 | 几天能到 | 可以寄 | 快递 | 发货
es: envio* | envian | envias | enviar a | gastos de envio | cuanto tarda | entrega* | llega a |
    mandan a | hacen envios | despachan | cuanto demora
ru: доставк* | доставля* | доставит* | отправляете | шлете | пересылк* | сколько идет |
    сколько ехать | отправка | отправить в | отправите | доставку | сколько дней
de: versand* | liefer* | versendet | versenden | wie lange dauert | porto | verschickt |
    verschicken | schickt ihr | wie lange braucht
fr: livraison | livrez | livre* | expediez | expedition | frais de port | combien de temps |
    envoyez | envoi | livrer
pt: frete | entrega* | entregam | envio | enviam | quanto tempo demora | prazo | enviar para |
    mandam para | quanto tempo leva | chega em | despacham
ar: الشحن | شحن | توصيل | التوصيل | تشحنون | توصلون | كم يستغرق | ترسلون | الارسال | يوصل
"""

_COMPARE = """
en: compare | comparison | side by side | which is better | which one is better |
    difference between | what is the difference
zh: 比较 | 对比 | 比一比 | 哪个好 | 哪个更好 | 有什么区别 | 区别
es: compara | comparar | comparame | comparacion | cual es mejor | diferencia entre
ru: сравни | сравнить | сравните | сравнение | какой лучше | какая лучше | какое лучше |
    в чем разница | чем отличаются
de: vergleiche | vergleichen | vergleich | welcher ist besser | welche ist besser |
    welches ist besser | unterschied zwischen
fr: compare | comparer | comparez | comparaison | lequel est mieux | laquelle est mieux |
    difference entre
pt: compare | comparar | compara | comparacao | qual e melhor | diferenca entre
ar: قارن | مقارنه | ايهما افضل | الفرق بين
"""

_SHIPPING_TIME = """
en: how long | how many days | when will it arrive | arrive | days | weeks
zh: 多久 | 几天 | 多长时间 | 时间
es: cuanto tarda | cuanto demora | cuantos dias | tiempo | dias | llega
ru: сколько идет | сколько ехать | сколько дней | срок* | как долго | дней
de: wie lange | wie viele tage | lieferzeit | dauer* | tage
fr: combien de temps | delai* | jours | quand
pt: quanto tempo | prazo | quantos dias | demora | dias
ar: كم يستغرق | كم يوم | مدة | متى | ايام
"""

_PAYMENT = """
en: pay | payment* | paying | paypal | credit card | debit card | pay with | apple pay |
    google pay | cash on delivery | installment* | how do i pay | how can i pay | visa |
    mastercard | bank transfer
zh: 付款 | 支付 | 微信支付 | 支付宝 | 怎么付 | 货到付款 | 信用卡 | 付钱 | 分期 | 刷卡 | 转账
es: pagar | pago | pagos | tarjeta de credito | con tarjeta | contra reembolso | formas de pago |
    metodos de pago | transferencia | efectivo | mercado pago | a plazos
ru: оплат* | заплатить | платить | картой | наложенн* | наличными | наличные |
    рассрочк*
de: bezahl* | zahlung* | zahlen | kreditkarte | paypal | rechnung | nachnahme | uberweisung |
    mit karte | raten
fr: payer | paiement* | carte bancaire | carte de credit | regler | reglement | virement |
    en especes | paypal | plusieurs fois
pt: pagar | pagamento* | pix | boleto | cartao de credito | no cartao | parcelar | parcelado |
    parcela* | dinheiro | transferencia
ar: الدفع | دفع | ادفع | بطاقة ائتمان | الدفع عند الاستلام | فيزا | تقسيط | كاش | نقدا | ماستركارد
"""

_PAYMENT_FIRST = """
en: cash on delivery | pay on delivery | payment on delivery
zh: 货到付款
es: contra reembolso | pago contra entrega | pagar al recibir
ru: наложенн* | оплата при получении | оплатить при получении
de: nachnahme | zahlung bei lieferung
fr: paiement a la livraison | contre remboursement
pt: pagamento na entrega | pagar na entrega
ar: الدفع عند الاستلام
"""

_ADD_VERB = """
en: add | put | throw | i ll take | ill take | i will take | i d like to add | please add |
    add in | i ll buy | buy | i want to buy | i d like to buy | get me | order
zh: 加 | 添加 | 加入 | 放入 | 买 | 我要买 | 我要 | 帮我加 | 给我来 | 来 | 下单 | 购买 | 要
es: agrega | agregar | anade | anadir | mete | pon | ponme | agregame | quiero comprar |
    compro | comprar | me llevo | añade
ru: добавь | добавить | добавьте | положи | положите | кинь | возьму | куплю | беру | закажу |
    хочу купить | купить | заказать
de: fuge | fugen | leg | lege | pack | packe | tu | ich nehme | ich kaufe | kaufen | bestellen |
    ich bestelle
fr: ajoute | ajouter | ajoutez | mets | mettez | je prends | j achete | acheter | commander |
    je commande
pt: adiciona | adicionar | adicione | coloca | coloque | bota | quero comprar | compro |
    comprar | vou levar | pedir | me ve | poe
ar: اضف | أضف | ضع | اضيف | اشتري | اريد شراء | ابي | اطلب | ارغب في شراء
"""

_CART_PHRASE = """
en: to cart | to my cart | in my cart | into my cart | in the cart | to the cart |
    into the cart | to my basket | in my basket | to basket | to the basket | in cart
zh: 购物车 | 加入购物车 | 放进购物车 | 到购物车 | 进购物车
es: al carrito | a mi carrito | en mi carrito | en el carrito | a la cesta | en la cesta |
    al carro | a mi cesta
ru: в корзину | в мою корзину | в корзине
de: in den warenkorb | zum warenkorb | in meinen warenkorb | in den korb | hinzu | dazu
fr: au panier | dans le panier | dans mon panier | a mon panier
pt: no carrinho | ao carrinho | no meu carrinho | ao meu carrinho | na cesta
ar: الى السلة | للسلة | في السلة | الى سلتي | في سلتي | لسلة
"""

_SEARCH_FRAME = """
en: where can i buy | where can i find | where do i find | i m after
zh: 哪里买 | 在哪买 | 哪里有
es: donde compro | donde puedo comprar | donde encuentro
ru: где купить | где найти
de: wo finde ich | wo kann ich
fr: ou trouver | ou acheter | ou puis je trouver
pt: onde compro | onde encontro | onde acho
ar: اين اجد | من اين اشتري
en: i m looking for | im looking for | i am looking for | looking for | do you have |
    have you got | do you sell | do you guys have | you have | i need | i want | i would like |
    i d like | show me | can i get | can you find | find me | search for | search |
    searching for | got any | any | is there | are there | please | pls | can you show me |
    i m searching for | need | want | some | a | an | the | for me | me | please show |
    you got | do u have | have | find | i
zh: 把 | 我想买 | 我想要 | 我要找 | 有没有 | 有吗 | 有没 | 我想找 | 帮我找 | 找一下 | 找 |
    想要 | 想买 | 请问 | 给我看看 | 看看 | 推荐 | 推荐一下 | 我需要 | 需要 | 吗 | 呢 | 一个 |
    一下 | 的
es: busco | estoy buscando | tienen | tienes | tiene | hay | quiero | necesito | me gustaria |
    muestrame | ensename | venden | un | una | unos | unas | el | la | los | las | algun |
    alguna | por favor | me | buscando
ru: ищу | я ищу | есть ли | есть | у вас есть | у вас | нужен | нужна | нужно | нужны | хочу |
    покажите | покажи | найди | найдите | мне | продаете | пожалуйста | какие нибудь |
    какой нибудь | подскажите | посоветуйте | можно
de: ich suche | suche | habt ihr | haben sie | gibt es | ich brauche | brauche | ich mochte |
    ich will | zeig mir | zeigen sie mir | zeigt mir | verkauft ihr | einen | eine | ein |
    bitte | mir | ich
fr: je cherche | cherche | vous avez | avez vous | est ce que vous avez | je voudrais |
    je veux | j ai besoin d | j ai besoin de | il me faut | montrez moi | montre moi | un |
    une | des | le | la | les | s il vous plait | svp | stp | du | de
pt: procuro | estou procurando | procurando | voces tem | vcs tem | tem | quero | preciso de |
    preciso | gostaria de | me mostra | mostre | mostra | um | uma | uns | umas | o | a | os |
    as | por favor | vende | vendem
ar: ابحث عن | أبحث عن | هل لديكم | هل عندكم | عندكم | لديكم | اريد | أريد | احتاج | أحتاج |
    ابغى | ابي | ارني | اعرض | من فضلك | لو سمحت | هل يوجد | يوجد
"""

_GIFT = """
en: gift | present | gifts | presents
zh: 礼物 | 礼品 | 送礼
es: regalo | regalos
ru: подарок | подарки | подарка | в подарок
de: geschenk | geschenke | geschenkidee
fr: cadeau | cadeaux
pt: presente | presentes
ar: هدية | هدايا
"""

_RECIPIENT = """
en: for my mom | for my mum | for my mother | for mom | for mum | for my dad | for my father |
    for my wife | for my husband | for my girlfriend | for my boyfriend | for my sister |
    for my brother | for my son | for my daughter | for my friend | for a friend | for my kids |
    for kids | for her | for him | for my grandma | for my grandpa | for a child | for my boss |
    for my colleague | for a coworker | for my partner | for christmas | for a birthday |
    for her birthday | for his birthday | birthday | for mother s day | for father s day
zh: 给妈妈 | 给我妈 | 给老妈 | 送妈妈 | 给爸爸 | 送爸爸 | 给老婆 | 送老婆 | 给女朋友 |
    送女朋友 | 给男朋友 | 送男朋友 | 给朋友 | 送朋友 | 给孩子 | 送孩子 | 送给 | 给 | 生日 |
    母亲节 | 父亲节 | 妈妈 | 爸爸
es: para mi mama | para mi madre | para mama | para mi papa | para mi padre | para mi esposa |
    para mi esposo | para mi novia | para mi novio | para mi hermana | para mi hermano |
    para un amigo | para una amiga | para mi hijo | para mi hija | para ninos | de cumpleanos |
    para el dia de la madre | para mi abuela
ru: для мамы | маме | для папы | папе | жене | мужу | для жены | для мужа | девушке | парню |
    для девушки | для парня | сестре | брату | другу | подруге | ребенку | для ребенка |
    на день рождения | на 8 марта | бабушке | коллеге
de: fur meine mutter | fur meine mama | fur mama | fur meinen vater | fur papa |
    fur meine frau | fur meinen mann | fur meine freundin | fur meinen freund |
    fur meine schwester | fur kinder | zum geburtstag | fur oma | fur muttertag |
    zum muttertag
fr: pour ma mere | pour ma maman | pour maman | pour mon pere | pour papa | pour ma femme |
    pour mon mari | pour ma copine | pour mon copain | pour un ami | pour une amie |
    pour enfant | pour anniversaire | d anniversaire | pour la fete des meres | pour ma soeur
pt: para minha mae | pra minha mae | para mae | para meu pai | pra meu pai | para minha esposa |
    para meu marido | para minha namorada | pro meu namorado | para meu namorado |
    para um amigo | para uma amiga | de aniversario | para o dia das maes | para criancas |
    pra minha namorada
ar: لامي | لأمي | لوالدتي | لابي | لأبي | لزوجتي | لزوجي | لصديقي | لصديقتي | لاختي | لأختي |
    لأخي | لاطفالي | عيد ميلاد | عيد الام
"""

_CJK_OR_ARABIC: Final = re.compile(r"[\u0600-\u06ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_NOT_WORD: Final = re.compile(r"[^\w]+")
_ARABIC_LETTERS: Final = re.compile(r"[\u0600-\u06ff]")


def normalise(text: str) -> str:
    """Folded as the search engine folds, punctuation and symbols turned into single spaces."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).replace("_", " ").split())


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: str  # normalised
    prefix: bool  # the last word may go on ("refund*" matches "refunds", "refunded")
    anywhere: bool  # CJK or Arabic: matched as a substring


def _parse_table(table: str) -> tuple[_Phrase, ...]:
    phrases: dict[str, _Phrase] = {}
    body = re.sub(r"^\s*[a-z]{2}:", "|", table, flags=re.MULTILINE)
    for raw in body.split("|"):
        raw = raw.strip()
        if not raw:
            continue
        prefix = raw.endswith("*")
        words = normalise(raw.rstrip("*"))
        if words:
            anywhere = bool(_CJK_OR_ARABIC.search(words))
            phrases[words + ("*" if prefix else "")] = _Phrase(words, prefix, anywhere)
    # Longest first, so "thank you so much" is taken before "thank you".
    return tuple(sorted(phrases.values(), key=lambda p: -len(p.words)))


@cache
def _table(name: str) -> tuple[_Phrase, ...]:
    return _parse_table(_TABLES[name])


_TABLES: Final = {
    "greeting": _GREETING,
    "thanks": _THANKS,
    "goodbye": _GOODBYE,
    "filler": _FILLER,
    "help": _HELP,
    "catalog": _CATALOG,
    "order_status": _ORDER_STATUS,
    "returns": _RETURNS,
    "human": _HUMAN,
    "shipping": _SHIPPING,
    "shipping_time": _SHIPPING_TIME,
    "compare": _COMPARE,
    "payment": _PAYMENT,
    "payment_first": _PAYMENT_FIRST,
    "add_verb": _ADD_VERB,
    "cart_phrase": _CART_PHRASE,
    "search_frame": _SEARCH_FRAME,
    "gift": _GIFT,
    "recipient": _RECIPIENT,
}


@cache
def _patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """One regular expression for the whole table, its phrases longest first, the word
    boundaries checked once around each group of phrases (not once per phrase), so a message is
    scanned once per table, and quickly."""
    latin, cjk, arabic = [], [], []
    for phrase in _table(name):
        body = re.escape(phrase.words).replace(r"\ ", " ")
        if not phrase.anywhere:
            latin.append(body + (r"\w*" if phrase.prefix else ""))
        elif _ARABIC_LETTERS.search(phrase.words):
            arabic.append(body)
        else:
            cjk.append(body)
    groups = []
    if latin:
        groups.append(r"(?<!\w)(?:" + "|".join(latin) + r")(?!\w)")
    if arabic:  # Arabic glues "and", "for", "with", "the" on before, pronouns after
        groups.append(
            r"(?<!\w)(?:و|ف|ب|ل|ال|لل|وال|بال)?(?:" + "|".join(arabic) + r")\w{0,3}(?!\w)"
        )
    if cjk:
        groups.append("(?:" + "|".join(cjk) + ")")
    return (re.compile("|".join(groups) or r"(?!x)x"),)


def _find(name: str, text: str) -> re.Match[str] | None:
    for pattern in _patterns(name):
        found = pattern.search(text)
        if found:
            return found
    return None


def _strip(names: Iterable[str], text: str) -> str:
    """`text` with every phrase of the tables `names` taken out (longest first)."""
    for name in names:
        for pattern in _patterns(name):
            text = pattern.sub(" ", text)
    return " ".join(text.split())


_CJK_PARTICLES: Final = re.compile(r"[的了吗呢啊呀吧哦嘛啦嗯哈～~]")


def _only(names: tuple[str, ...], text: str) -> bool:
    """Whether `text` is made of nothing but phrases of `names` and filler."""
    rest = _strip((*names, "filler"), text)
    rest = _CJK_PARTICLES.sub("", rest).strip()
    return not rest


def _leading(name: str, text: str) -> str | None:
    """`text` after a phrase of `name` it starts with, or None."""
    for pattern in _patterns(name):
        found = pattern.match(text)
        if found:
            return text[found.end() :].strip()
    return None


# -- the classifier -----------------------------------------------------------------------------


def classify(text: str) -> Understood:
    """What `text` asks for; see the module docstring. Pure and quick: no database."""
    if not isinstance(text, str):
        return Understood(Intent.SEARCH, "")
    norm = normalise(text[:MAX_READ])
    if not norm:
        return Understood(Intent.SEARCH, text)
    chat = _chit_chat(norm)
    if chat is not None:
        return Understood(chat)
    rest = _leading("greeting", norm)
    if rest:  # "hi, do you ship to Spain?": the greeting is politeness
        chat = _chit_chat(rest)
        if chat is not None:
            return Understood(chat)
        norm = rest
    if _find("payment_first", norm):  # "contra reembolso" is cash on delivery, not a refund
        return Understood(Intent.PAYMENT)
    for intent in (Intent.RETURNS, Intent.ORDER_STATUS, Intent.HUMAN, Intent.SHIPPING):
        if _find(intent.value, norm):
            return _topic(intent, norm, text)
    if _find("compare", norm):  # "compare the two mugs", "compare 1 and 3"
        return Understood(Intent.COMPARE, norm)
    if _only(("help",), norm) and _find("help", norm):
        return Understood(Intent.HELP)
    if _only(("catalog", "search_frame"), norm) and _find("catalog", norm):
        return Understood(Intent.CATALOG)
    added = _cart_add(norm)
    if added is not None:
        return Understood(Intent.CART_ADD, added)
    if _find("payment", norm):
        return Understood(Intent.PAYMENT)
    if len(norm) <= 20 and _only((), norm):  # "ok", "super", "好的": acknowledged, not searched
        return Understood(Intent.THANKS)
    return Understood(Intent.SEARCH, search_words(norm) or text)


def _chit_chat(norm: str) -> Intent | None:
    tables = ("greeting", "thanks", "goodbye")
    if not _only(tables, norm):
        return None
    if _find("goodbye", norm):
        return Intent.GOODBYE
    if _find("thanks", norm):
        return Intent.THANKS
    if _find("greeting", norm):
        return Intent.GREETING
    return None


def _topic(intent: Intent, norm: str, text: str) -> Understood:
    if intent is not Intent.SHIPPING:
        return Understood(intent)
    topic = "time" if _find("shipping_time", norm) else ""
    return Understood(intent, country=find_country(text), topic=topic)


def _cart_add(norm: str) -> str | None:
    """The product words of "add 2 travel mugs (to my cart)", or None when it is not one."""
    in_cart = _find("cart_phrase", norm)
    rest = _leading("add_verb", norm)
    if rest is None and in_cart is None:
        return None
    if rest is None:
        rest = norm
    rest = _strip(("cart_phrase",), rest)
    rest = _strip_frame(rest)
    return rest


_ARTICLES: Final = frozenset(
    {"a", "an", "the", "one", "some", "please", "pls", "it", "this", "that", "me", "my", "un"}
    | {"una", "el", "la", "le", "les", "des", "du", "de", "um", "uma", "o", "os", "as", "ein"}
    | {"mein", "meine", "einen", "eine"}
)


def _strip_frame(text: str) -> str:
    """The search framing taken off both ends ("do you have" … "please")."""
    changed = True
    while changed and text:
        changed = False
        rest = _leading("search_frame", text)
        if rest is not None and rest != text:
            text, changed = rest, True
        words = text.split()
        if words and words[-1] in _ARTICLES and len(words) > 1:
            text, changed = " ".join(words[:-1]), True
    return text.strip()


def search_words(norm: str) -> str:
    """What to search for in a buyer's sentence: framing off, a recipient turned into "gift"."""
    recipient = _find("recipient", norm)
    if recipient:
        norm = _strip(("recipient",), norm)
    if recipient or _find("gift", norm):  # the catalog tags gifts, in English
        norm = _strip(("gift",), norm) + " gift"
    text = _strip_frame(norm)
    if _CJK_OR_ARABIC.search(text):
        for pattern in _patterns("search_frame"):
            if pattern.pattern and _CJK_OR_ARABIC.search(pattern.pattern):
                text = pattern.sub(" ", text)
        text = " ".join(text.split())
    return text


# -- countries ------------------------------------------------------------------------------------

_NAME_LANGUAGES: Final = ("en", "zh", "es", "ru", "de", "fr", "pt", "ar")
_COUNTRY_ALIASES: Final = {
    "usa": "US", "us": "US", "america": "US", "united states": "US", "the states": "US",
    "uk": "GB", "england": "GB", "britain": "GB", "great britain": "GB", "scotland": "GB",
    "holland": "NL", "美国": "US", "英国": "GB", "俄罗斯": "RU", "中国": "CN", "大陆": "CN",
    "russia": "RU", "россию": "RU", "россия": "RU", "германию": "DE", "францию": "FR",
    "испанию": "ES", "бразилию": "BR", "китай": "CN", "сша": "US", "америку": "US",
    "англию": "GB", "италию": "IT", "украину": "UA", "казахстан": "KZ", "беларусь": "BY",
    "emirates": "AE", "uae": "AE", "الامارات": "AE", "السعوديه": "SA", "مصر": "EG",
    "deutschland": "DE", "brasil": "BR", "espana": "ES", "mexico": "MX", "eeuu": "US",
    "estados unidos": "US", "eua": "US", "usa ": "US",
}  # fmt: skip


@cache
def _country_names() -> dict[str, str]:
    """Folded country name → ISO code, in every shipped language (babel's CLDR names)."""
    names: dict[str, str] = {}
    for language in _NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in {"ZZ", "EU", "EZ", "UN", "QO"}:
                names.setdefault(normalise(name), code)
    for alias, code in _COUNTRY_ALIASES.items():
        names[normalise(alias)] = code
    return names


@cache
def _anywhere_names() -> tuple[tuple[str, str], ...]:
    """CJK and Arabic names, longest first: matched inside unspaced text."""
    found = [(n, c) for n, c in _country_names().items() if _CJK_OR_ARABIC.search(n)]
    return tuple(sorted(found, key=lambda item: -len(item[0])))


def find_country(text: str) -> str | None:
    """The ISO code of a country named in `text` ("do you ship to Brazil?" → "BR"), or None."""
    norm = normalise(text[:MAX_READ])
    names = _country_names()
    words = norm.split()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            code = names.get(" ".join(words[i : i + size]))
            if code is not None and not (size == 1 and words[i] in _NOT_COUNTRIES):
                return code
    for name, code in _anywhere_names():
        if len(name) >= 2 and name in norm:
            return code
    stems = _cyrillic_stems()
    for word in words:  # Russian declines names: "в Бразилию", "во Францию"
        if len(word) >= 5 and "а" <= word[0] <= "я":
            code = stems.get(word[:-1])
            if code is not None:
                return code
    return None


@cache
def _cyrillic_stems() -> dict[str, str]:
    return {
        name[:-1]: code
        for name, code in _country_names().items()
        if " " not in name and len(name) >= 5 and "а" <= name[0] <= "я"
    }


_NOT_COUNTRIES: Final = frozenset(
    {"in", "to", "de", "es", "it", "me", "no", "la", "do", "at", "be"}
)
