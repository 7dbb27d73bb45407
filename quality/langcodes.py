"""Language codes as people write them, and the names of languages.

One table for `--lang`, `--lang-field`/`lang_field`, the API and the report:
a language is named by its ISO 639-1 code where it has one, else by its ISO
639-3 code ("es", "ast"). Accepted spellings: any case, BCP 47 or POSIX tags
("pt-BR", "zh-Hant-TW", "en_GB": the primary subtag counts), ISO 639-2/3
codes including the bibliographic ones ("spa", "ger", "gre"), individual
members of a macrolanguage ("cmn" is zh, "pes" is fa) and English names
("Spanish", "english"). The table (tools/make_langcodes.py, from Debian's
iso-codes) holds every language with a 639-1 code and every language the
identifier can name.
"""

from __future__ import annotations

import re
import unicodedata

UNDETERMINED = "und"

# code, ISO 639-3 code, ISO 639-2/B code (where it differs), English name
_TABLE = """\
aa	aar		Afar
ab	abk		Abkhazian
ace	ace		Achinese
adz	adz		Adzera
ae	ave		Avestan
af	afr		Afrikaans
aii	aii		Assyrian Neo-Aramaic
ak	aka		Akan
am	amh		Amharic
ame	ame		Yanesha'
amr	amr		Amarakaeri
an	arg		Aragonese
ar	ara		Arabic
arl	arl		Arabela
arn	arn		Mapudungun
as	asm		Assamese
ast	ast		Asturian
av	ava		Avaric
ay	aym		Aymara
ayr	ayr		Central Aymara
az	aze		Azerbaijani
ba	bak		Bashkir
bar	bar		Bavarian
bcl	bcl		Central Bikol
be	bel		Belarusian
bg	bul		Bulgarian
bi	bis		Bislama
bm	bam		Bambara
bn	ben		Bengali
bo	bod	tib	Tibetan
boa	boa		Bora
bpy	bpy		Bishnupriya
br	bre		Breton
bs	bos		Bosnian
ca	cat		Catalan
cbu	cbu		Candoshi-Shapra
cdo	cdo		Min Dong Chinese
ce	che		Chechen
ceb	ceb		Cebuano
ch	cha		Chamorro
chk	chk		Chuukese
cho	cho		Choctaw
chr	chr		Cherokee
chy	chy		Cheyenne
ckb	ckb		Central Kurdish
cnh	cnh		Hakha Chin
co	cos		Corsican
cr	cre		Cree
cs	ces	cze	Czech
cu	chu		Church Slavic
cv	chv		Chuvash
cy	cym	wel	Welsh
da	dan		Danish
de	deu	ger	German
dik	dik		Southwestern Dinka
diq	diq		Dimli
dv	div		Dhivehi
dz	dzo		Dzongkha
ee	ewe		Ewe
el	ell	gre	Greek
en	eng		English
eo	epo		Esperanto
es	spa		Spanish
et	est		Estonian
eu	eus	baq	Basque
ext	ext		Extremaduran
fa	fas	per	Persian
ff	ful		Fulah
fi	fin		Finnish
fj	fij		Fijian
fo	fao		Faroese
fon	fon		Fon
fr	fra	fre	French
fy	fry		Western Frisian
ga	gle		Irish
gd	gla		Scottish Gaelic
gl	glg		Galician
gn	grn		Guarani
gom	gom		Goan Konkani
gsw	gsw		Swiss German
gu	guj		Gujarati
gv	glv		Manx
ha	hau		Hausa
he	heb		Hebrew
hi	hin		Hindi
ho	hmo		Hiri Motu
hr	hrv		Croatian
hsb	hsb		Upper Sorbian
ht	hat		Haitian Creole
hu	hun		Hungarian
hus	hus		Huastec
huu	huu		Murui Huitoto
hy	hye	arm	Armenian
hz	her		Herero
ia	ina		Interlingua (International Auxiliary Language Association)
id	ind		Indonesian
ie	ile		Interlingue
ig	ibo		Igbo
ii	iii		Sichuan Yi
ik	ipk		Inupiaq
ilo	ilo		Iloko
io	ido		Ido
is	isl	ice	Icelandic
it	ita		Italian
iu	iku		Inuktitut
izh	izh		Ingrian
ja	jpn		Japanese
jv	jav		Javanese
ka	kat	geo	Georgian
kac	kac		Kachin
kam	kam		Kamba (Kenya)
kbd	kbd		Kabardian
kbp	kbp		Kabiyè
kca	kca		Khanty
kea	kea		Kabuverdianu
kg	kon		Kongo
ki	kik		Kikuyu
kj	kua		Kuanyama
kk	kaz		Kazakh
kl	kal		Greenlandic
km	khm		Khmer
kn	kan		Kannada
knc	knc		Central Kanuri
ko	kor		Korean
koi	koi		Komi-Permyak
kpv	kpv		Komi-Zyrian
kr	kau		Kanuri
krc	krc		Karachay-Balkar
ks	kas		Kashmiri
ksh	ksh		Kölsch
ku	kur		Kurdish
kv	kom		Komi
kw	cor		Cornish
ky	kir		Kyrgyz
la	lat		Latin
lb	ltz		Luxembourgish
lg	lug		Ganda
li	lim		Limburgish
liv	liv		Liv
lmo	lmo		Lombard
ln	lin		Lingala
lo	lao		Lao
lt	lit		Lithuanian
lu	lub		Luba-Katanga
lud	lud		Ludian
luo	luo		Luo (Kenya and Tanzania)
lus	lus		Lushai
lv	lav		Latvian
mcd	mcd		Sharanahua
mcf	mcf		Matsés
mdf	mdf		Moksha
mg	mlg		Malagasy
mh	mah		Marshallese
mhr	mhr		Eastern Mari
mi	mri	mao	Maori
min	min		Minangkabau
mk	mkd	mac	Macedonian
ml	mal		Malayalam
mn	mon		Mongolian
mns	mns		Mansi
mr	mar		Marathi
mrj	mrj		Western Mari
ms	msa	may	Malay
mt	mlt		Maltese
mwl	mwl		Mirandese
my	mya	bur	Burmese
myv	myv		Erzya
na	nau		Nauru
nb	nob		Norwegian Bokmål
nd	nde		North Ndebele
ne	nep		Nepali
ng	ndo		Ndonga
nhn	nhn		Central Nahuatl
nio	nio		Nganasan
nl	nld	dut	Dutch
nn	nno		Norwegian Nynorsk
no	nor		Norwegian
nr	nbl		South Ndebele
nso	nso		Pedi
nus	nus		Nuer
nv	nav		Navajo
ny	nya		Chichewa
oc	oci		Occitan
oj	oji		Ojibwa
olo	olo		Livvi
om	orm		Oromo
or	ori		Odia
os	oss		Ossetian
pa	pan		Punjabi
pag	pag		Pangasinan
pam	pam		Pampanga
pfl	pfl		Pfaelzisch
pi	pli		Pali
pl	pol		Polish
pms	pms		Piemontese
pnb	pnb		Western Panjabi
pon	pon		Pohnpeian
ps	pus		Pashto
pt	por		Portuguese
qu	que		Quechua
rm	roh		Romansh
rn	run		Rundi
ro	ron	rum	Romanian
ru	rus		Russian
rw	kin		Kinyarwanda
sa	san		Sanskrit
sah	sah		Yakut
sat	sat		Santali
sc	srd		Sardinian
scn	scn		Sicilian
sd	snd		Sindhi
se	sme		Northern Sami
sg	sag		Sango
sgs	sgs		Samogitian
sh	hbs		Serbo-Croatian
shk	shk		Shilluk
shn	shn		Shan
si	sin		Sinhala
sjd	sjd		Kildin Sami
sjk	sjk		Kemi Sami
sju	sju		Ume Sami
sk	slk	slo	Slovak
sl	slv		Slovenian
sm	smo		Samoan
sma	sma		Southern Sami
smj	smj		Lule Sami
smn	smn		Inari Sami
sms	sms		Skolt Sami
sn	sna		Shona
so	som		Somali
sq	sqi	alb	Albanian
sr	srp		Serbian
ss	ssw		Swati
st	sot		Southern Sotho
su	sun		Sundanese
sv	swe		Swedish
sw	swa		Swahili
ta	tam		Tamil
tca	tca		Ticuna
te	tel		Telugu
tet	tet		Tetum
tg	tgk		Tajik
th	tha		Thai
ti	tir		Tigrinya
tk	tuk		Turkmen
tl	tgl		Tagalog
tn	tsn		Tswana
to	ton		Tongan
tr	tur		Turkish
ts	tso		Tsonga
tt	tat		Tatar
tw	twi		Twi
ty	tah		Tahitian
tzh	tzh		Tzeltal
udm	udm		Udmurt
ug	uig		Uyghur
uk	ukr		Ukrainian
umb	umb		Umbundu
ur	urd		Urdu
ura	ura		Urarina
uz	uzb		Uzbek
ve	ven		Venda
vi	vie		Vietnamese
vls	vls		Vlaams
vo	vol		Volapük
vot	vot		Votic
vro	vro		Võro
wa	wln		Walloon
war	war		Waray (Philippines)
wo	wol		Wolof
xh	xho		Xhosa
xmf	xmf		Mingrelian
yi	yid		Yiddish
yo	yor		Yoruba
yrk	yrk		Nenets
za	zha		Zhuang
zh	zho	chi	Chinese
zu	zul		Zulu
"""

# individual languages written under their macrolanguage's code
MACRO_MEMBERS = {
    "cmn": "zh", "pes": "fa", "prs": "fa", "gaz": "om", "uzn": "uz", "uzs": "uz", "pbt": "ps", "zsm": "ms",
    "azj": "az", "npi": "ne", "ory": "or", "swh": "sw", "ekk": "et", "lvs": "lv", "khk": "mn", "kmr": "ku",
}
# names people use besides the reference names
_EXTRA_NAMES = {
    "castilian": "es", "farsi": "fa", "mandarin": "zh", "filipino": "tl", "flemish": "nl", "norwegian": "nb",
    "bokmal": "nb", "nynorsk": "nn", "oriya": "or", "panjabi": "pa", "sinhalese": "si", "kirghiz": "ky",
    "gaelic": "gd", "moldavian": "ro", "valencian": "ca", "burmese": "my", "uighur": "ug", "haitian": "ht",
    "creole": "ht", "slovene": "sl", "kurdish": "ku", "sorani": "ckb", "serbo-croatian": "sh", "tagalog": "tl",
}
# codes that mean "no language": undetermined, no linguistic content, markup
_NO_LANGUAGE = {"und", "zxx", "mis", "mul", "undhtml"}

_SUBTAG_RE = re.compile(r"[-_]")


def _fold(value: str) -> str:
    """Lower case without accents: "Bokmål" and "bokmal" are the same name."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


NAMES: dict[str, str] = {}
_ALIASES: dict[str, str] = {}
for _line in _TABLE.splitlines():
    _code, _alpha3, _biblio, _name = _line.split("\t")
    NAMES[_code] = _name
    for _alias in (_code, _alpha3, _biblio, _fold(_name)):
        if _alias:
            _ALIASES.setdefault(_alias, _code)
for _member, _macro in MACRO_MEMBERS.items():
    _ALIASES.setdefault(_member, _macro)
for _alias, _code in _EXTRA_NAMES.items():
    _ALIASES.setdefault(_alias, _code)


class UnknownLanguageError(ValueError):
    """A language code or name that is in no table; the message lists what is accepted."""


def normalize_lang_code(value: str | None, modelled: list[str] | tuple[str, ...] = ()) -> str | None:
    """A caller's language code or name as the report writes it: "EN", "en-US", "eng", "English" -> "en".

    None, an empty or blank string, or "und" mean: detect (None). Raises
    UnknownLanguageError for anything else not in the table, naming the
    `modelled` codes first in its message.
    """
    if value is None:
        return None
    folded = _fold(value)
    if not folded:
        return None
    code = _ALIASES.get(folded)
    if code is None:
        primary = _SUBTAG_RE.split(folded, maxsplit=1)[0].strip()
        if primary in _NO_LANGUAGE:
            return None
        code = _ALIASES.get(primary)
    if code is None:
        raise UnknownLanguageError(unknown_language_message(value, modelled))
    return code


def unknown_language_message(value: str, modelled: list[str] | tuple[str, ...] = ()) -> str:
    """Why `value` is refused, and what is accepted instead."""
    head = f"unknown language {value!r}"
    with_models = f"; languages with a model: {', '.join(modelled)}" if modelled else ""
    return (f"{head}{with_models}; also accepted: any of {len(NAMES)} ISO 639 codes or English names "
            f"(e.g. nl, nld, Dutch), with region or script subtags (pt-BR, zh-Hant); `quality models` lists "
            f"the identified ones")


def from_identifier(label: str) -> str:
    """Our code for a language identifier's label (ISO 639-3, heliport's variants such as "hbsbos")."""
    label = label.lower()
    code = _IDENTIFIER_LABELS.get(label) or _ALIASES.get(label)
    if code is not None:
        return code
    if label in _NO_LANGUAGE:
        return UNDETERMINED
    return label  # a code outside the table is still a language: report it as given


# heliport's labels that are not plain ISO 639-3 codes
_IDENTIFIER_LABELS = {
    "hbsbos": "bs", "hbshrv": "hr", "hbssrp": "sr", "hbs": "sh", "msaind": "id", "msamalay": "ms",
    "msazsm": "ms", "msamin": "min", "estvro": "vro", "undhtml": UNDETERMINED, "zxx": UNDETERMINED,
    "fini": "fi", "fink": "fi", "finl": "fi", "finm": "fi", "fino": "fi", "finp": "fi", "finr": "fi",
    "fins": "fi", "fint": "fi", "finx": "fi", "sagb": "sg",
}


def language_name(code: str) -> str:
    """The English name of a code ("nl" -> "Dutch"); "undetermined" for und, the code itself when unknown."""
    if code == UNDETERMINED:
        return "undetermined"
    return NAMES.get(code, code)


def describe(code: str) -> str:
    """A code with its name, as reports write it: "nl (Dutch)"."""
    return f"{code} ({language_name(code)})"
