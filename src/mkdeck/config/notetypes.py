"""mkdeck's built-in note types: Anki's stock types, their localized names and field names.

A block's note-type line is matched against these (see :func:`NoteTypeIndex.resolve`):
exactly, then case-insensitively, then against Anki's localized names of its stock note types,
so a vault written for a Chinese Anki (``问答题`` with ``正面:``/``背面:``) parses to the canonical
``Basic`` with ``Front``/``Back``. Custom note types come from ``mkdeck.yaml`` or the plugin's
``data.json`` (:mod:`mkdeck.config`) and win over a stock type of the same name.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from mkdeck.model import NoteType

LOG = logging.getLogger(__name__)

#: Anki's stock note types, by canonical (English) name, with their fields in Anki order.
#: Source: Anki 26.9.3, rslib/src/notetype/stock.rs (the names Anki gives a new collection).
STOCK_FIELDS: dict[str, tuple[str, ...]] = {
    "Basic": ("Front", "Back"),
    "Basic (and reversed card)": ("Front", "Back"),
    "Basic (optional reversed card)": ("Front", "Back", "Add Reverse"),
    "Basic (type in the answer)": ("Front", "Back"),
    "Cloze": ("Text", "Back Extra"),
}

#: Order of the stock types in :data:`LOCALIZED` rows.
_STOCK_ORDER = tuple(STOCK_FIELDS)

# Anki's localized names of its stock note types and their fields, one row per language:
# (type name, field names...) for Basic, Basic (and reversed card), Basic (optional reversed
# card), Basic (type in the answer), Cloze. Source: the Fluent strings notetypes-basic-name,
# notetypes-front-field, ... of ankitects/anki-core-i18n `core/<lang>/notetypes.ftl`, as
# compiled into Anki 26.9.3 (read from a fresh collection made by the `anki` 26.9.3 backend in
# each language; tests/test_parse_notetypes.py re-derives this table from that backend).
# Languages whose names are all English are left out.
LOCALIZED: dict[str, tuple[tuple[str, ...], ...]] = {
    "af_ZA": (
        ('Basies', 'Voorkant', 'Terug'),
        ('Basiese (en omgekeerde kaart)', 'Voorkant', 'Terug'),
        ('Basiese (opsioneel omgekeerde kaart)', 'Voorkant', 'Terug', 'Voeg Keersy By'),
        ('Basic (type in the answer)', 'Voorkant', 'Terug'),
        ('Cloze', 'Teks', 'Back Extra'),
    ),
    "ar_SA": (
        ('أساسي', 'أمام', 'خلف'),
        ('أساسي (وبطاقة معكوسة)', 'أمام', 'خلف'),
        ('أساسي (وبطاقة معكوسة اختيارية)', 'أمام', 'خلف', 'إضافة بطاقة معكوسة'),
        ('أساسي (مع كتابة الجواب)', 'أمام', 'خلف'),
        ('ملء فراغات', 'نص', 'إضافي خلفي'),
    ),
    "be_BY": (
        ('Базавая', 'Перад', 'Адваротны бок'),
        ('Базавая (з адваротнай карткай)', 'Перад', 'Адваротны бок'),
        ('Базавая (з неабавязковай адваротнай карткай)', 'Перад', 'Адваротны бок', 'Дадаць адваротную'),
        ('Базавая (напісанне адказу)', 'Перад', 'Адваротны бок'),
        ('З прабеламі', 'Тэкст', 'Дадатковы адваротны бок'),
    ),
    "bg_BG": (
        ('Основен', 'Лицева част', 'Гръб'),
        ('Основна (и обърната карта)', 'Лицева част', 'Гръб'),
        ('Основна (+ обърната карта по избор)', 'Лицева част', 'Гръб', 'Добавяне на обратната карта'),
        ('Basic (type in the answer)', 'Лицева част', 'Гръб'),
        ('Cloze', 'Текст', 'Back Extra'),
    ),
    "ca_ES": (
        ('Bàsica', 'Anvers', 'Revers'),
        ('Bàsica (i targeta inversa)', 'Anvers', 'Revers'),
        ('Bàsica (targeta inversa opcional)', 'Anvers', 'Revers', 'Afegeix el revers'),
        ('Bàsica (escriure la resposta)', 'Anvers', 'Revers'),
        ('Text amb buits', 'Text', 'Revers extra'),
    ),
    "cs_CZ": (
        ('Základní', 'Líc', 'Rub'),
        ('Základní (plus obrácená karta)', 'Líc', 'Rub'),
        ('Základní (plus volitelná obrácená karta)', 'Líc', 'Rub', 'Přidat rub karty'),
        ('Základní (napsat odpověď)', 'Líc', 'Rub'),
        ('Doplňovačka', 'Text', 'Rub extra'),
    ),
    "da_DK": (
        ('Grundlæggende', 'Forside', 'Bagside'),
        ('Grundlæggende (og kort baglæns)', 'Forside', 'Bagside'),
        ('Grundlæggende (valgfrit med kort  baglæns)', 'Forside', 'Bagside', 'Tilføj baglæns'),
        ('Grundlæggende (skriv ind svaret)', 'Forside', 'Bagside'),
        ('Cloze', 'Tekst', 'Bagside extra'),
    ),
    "de_DE": (
        ('Einfach', 'Vorderseite', 'Rückseite'),
        ('Einfach (und die umgekehrte Richtung)', 'Vorderseite', 'Rückseite'),
        ('Einfach (und wahlweise die umgekehrte Richtung)', 'Vorderseite', 'Rückseite', 'Umgekehrte Richtung hinzufügen'),
        ('Einfach (Antwort eintippen)', 'Vorderseite', 'Rückseite'),
        ('Lückentext', 'Text', 'Rückseite Extra'),
    ),
    "el_GR": (
        ('Βασικό', 'Μπροστά', 'Πίσω'),
        ('Βασική (και αντεστραμμένη κάρτα)', 'Μπροστά', 'Πίσω'),
        ("Βασική (κατ'επιλογή αντεστραμμένη κάρτα)", 'Μπροστά', 'Πίσω', 'Προσθήκη αναστροφής'),
        ('Basic (πληκτρολόγηση απάντησης)', 'Μπροστά', 'Πίσω'),
        ('Κλείσιμο', 'Κείμενο', 'Back Extra'),
    ),
    "eo_UY": (
        ('Baza', 'Fronto', 'Dorso'),
        ('Baza (en ambaŭ direktoj)', 'Fronto', 'Dorso'),
        ('Baza (en unu aŭ ambaŭ direktoj)', 'Fronto', 'Dorso', 'Aldoni malan direkton'),
        ('Baza (enigi la respondon)', 'Fronto', 'Dorso'),
        ('Truteksto', 'Teksto', 'Plia dorso'),
    ),
    "es_ES": (
        ('Básico', 'Anverso', 'Reverso'),
        ('Básico (y tarjeta invertida)', 'Anverso', 'Reverso'),
        ('Básico (tarjeta invertida opcional)', 'Anverso', 'Reverso', 'Añadir reverso'),
        ('Básico (teclear la respuesta)', 'Anverso', 'Reverso'),
        ('Respuesta anidada', 'Texto', 'Reverso Extra'),
    ),
    "et_EE": (
        ('Põhimudel', 'Front', 'Back'),
        ('Basic (and reversed card)', 'Front', 'Back'),
        ('Basic (optional reversed card)', 'Front', 'Back', 'Add Reverse'),
        ('Basic (type in the answer)', 'Front', 'Back'),
        ('Cloze', 'Text', 'Back Extra'),
    ),
    "eu_ES": (
        ('Oinarrizkoa', 'Aurrea', 'Atzera'),
        ('Oinarrizko (eta alderantzizko karta)', 'Aurrea', 'Atzera'),
        ('Oinarrizko( aukerako alderantzizko karta)', 'Aurrea', 'Atzera', 'Erantsi alderantzizkoa'),
        ('Basic (type in the answer)', 'Aurrea', 'Atzera'),
        ('hutsuneak betetzea', 'Testua', 'Back Extra'),
    ),
    "fi_FI": (
        ('Perusmalli', 'Etupuoli', 'Kääntöpuoli'),
        ('Perusmalli (ja käänteinen kortti)', 'Etupuoli', 'Kääntöpuoli'),
        ('Perusmalli (valinnainen käänteinen kortti)', 'Etupuoli', 'Kääntöpuoli', 'Lisää käänteinen'),
        ('Perusmalli (kirjoita vastaus)', 'Etupuoli', 'Kääntöpuoli'),
        ('Aukkotehtävä', 'Teksti', 'Kääntöpuolen lisäteksti'),
    ),
    "fr_FR": (
        ('Basique', 'Recto', 'Verso'),
        ('Généralités (deux sens)', 'Recto', 'Verso'),
        ('Basique (carte inversée optionnelle)', 'Recto', 'Verso', 'Ajouter le verso'),
        ('Basique (saisissez la réponse)', 'Recto', 'Verso'),
        ('Texte à trous', 'Texte', 'Verso Extra'),
    ),
    "ga_IE": (
        ('Bunúsach', 'Tosach', 'Cúl'),
        ('Bunúsach (le malairt an chárta)', 'Tosach', 'Cúl'),
        ('Bunúsach (le malairt an chárta mar rogha)', 'Tosach', 'Cúl', 'Cuir le Cúl'),
        ('Bunúsach (clóscríobh an freagra)', 'Tosach', 'Cúl'),
        ('Iomlánú', 'Téacs', 'Cúl Breise'),
    ),
    "gl_ES": (
        ('Básica', 'Anverso', 'Reverso'),
        ('Básica (e tarxeta invertida)', 'Anverso', 'Reverso'),
        ('Básica (tarxeta invertida opcional)', 'Anverso', 'Reverso', 'Engadir reverso'),
        ('Básica (escribe a resposta)', 'Anverso', 'Reverso'),
        ('Oco', 'Texto', 'Reverso Extra'),
    ),
    "he_IL": (
        ('בסיסי', 'קדמי', 'אחורי'),
        ('בסיסי (וכרטיס הופכי)', 'קדמי', 'אחורי'),
        ('בסיסי (כרטיס הופכי אופציונלי)', 'קדמי', 'אחורי', 'הוסף שדה הופכי'),
        ('בסיסי (הקלד את התשובה)', 'קדמי', 'אחורי'),
        ('השלם את החסר', 'טקסט', 'תוספת אחורית'),
    ),
    "hr_HR": (
        ('Osnovna', 'Prednja strana', 'Poleđina'),
        ('Osnovna (i obratna kartica)', 'Prednja strana', 'Poleđina'),
        ('Osnovna (obratna kartica po volji)', 'Prednja strana', 'Poleđina', 'Dodaj obratno'),
        ('Osnovna (upisivanje odgovora)', 'Prednja strana', 'Poleđina'),
        ('Nadopunjavanje teksta', 'Tekst', 'Poleđina ekstra'),
    ),
    "hu_HU": (
        ('Alap', 'Előlap', 'Hátlap'),
        ('Alap (mindkét irányban)', 'Előlap', 'Hátlap'),
        ('Alap (egyik vagy mindkét irányban)', 'Előlap', 'Hátlap', 'Ellenkező irány hozzáadása'),
        ('Alap (írd be a választ)', 'Előlap', 'Hátlap'),
        ('Lyukas szöveg', 'Szöveg', 'Hátlap Extra'),
    ),
    "hy_AM": (
        ('Հիմնական', 'Հարց', 'Պատասխան'),
        ('Հիմնական (+ հետադարձ քարտերը)', 'Հարց', 'Պատասխան'),
        ('Հիմնական (հետադարձը ըստ ընտրության)', 'Հարց', 'Պատասխան', 'Ավելացնել հետադարձում'),
        ('Հիմնական (մուտքագրեք պատասխանը)', 'Հարց', 'Պատասխան'),
        ('Բացթողումներ', 'Գրվածք', 'Back Extra'),
    ),
    "it_IT": (
        ('Basilare', 'Fronte', 'Retro'),
        ('Basilare (e carta inversa)', 'Fronte', 'Retro'),
        ('Basilare (carta inversa opzionale)', 'Fronte', 'Retro', 'Aggiungi inversa'),
        ('Basilare (digita la risposta)', 'Fronte', 'Retro'),
        ('Cloze', 'Testo', 'Retro Extra'),
    ),
    "ja_JP": (
        ('基本', '表面', '裏面'),
        ('基本 (表面と裏面を反転したカードも作成)', '表面', '裏面'),
        ('基本 (任意で反転カードを作成)', '表面', '裏面', '反転カードを追加'),
        ('基本 (解答を入力)', '表面', '裏面'),
        ('穴埋め問題', 'テキスト', '裏面の追加情報'),
    ),
    "jbo_EN": (
        ('sampu', 'crane', 'trixe'),
        ('Basic (and reversed card)', 'crane', 'trixe'),
        ('Basic (optional reversed card)', 'crane', 'trixe', 'jmina lo fatne'),
        ("sampu je cu nitcu lo nu do samci'a lo te spuda", 'crane', 'trixe'),
        ('mipri cipra', 'Text', 'Back Extra'),
    ),
    "kk_KZ": (
        ('Қарапайым', 'Алды', 'Арты'),
        ('Қарапайым (және кері карта)', 'Алды', 'Арты'),
        ('Қарапайым (қосымша кері карта)', 'Алды', 'Арты', 'Керісін Қосу'),
        ('Қарапайым (жауапты теру)', 'Алды', 'Арты'),
        ('Саңылау толтыру', 'Мәтін', 'Арты Қосымша'),
    ),
    "mn_MN": (
        ('Үндсэн', 'Front', 'Back'),
        ('Basic (and reversed card)', 'Front', 'Back'),
        ('Basic (optional reversed card)', 'Front', 'Back', 'Add Reverse'),
        ('Basic (type in the answer)', 'Front', 'Back'),
        ('Cloze', 'Text', 'Back Extra'),
    ),
    "ms_MY": (
        ('Basic', 'Front', 'Belakang'),
        ('Basic (and reversed card)', 'Front', 'Belakang'),
        ('Basic (optional reversed card)', 'Front', 'Belakang', 'Add Reverse'),
        ('Basic (type in the answer)', 'Front', 'Belakang'),
        ('Cloze', 'Text', 'Back Extra'),
    ),
    "nb_NO": (
        ('Grunnleggende', 'Forside', 'Bakside'),
        ('Basic (and reversed card)', 'Forside', 'Bakside'),
        ('Basic (optional reversed card)', 'Forside', 'Bakside', 'Legg til Bakside'),
        ('Basic (type in the answer)', 'Forside', 'Bakside'),
        ('Cloze', 'Tekst', 'Back Extra'),
    ),
    "nl_NL": (
        ('Basis', 'Voorkant', 'Achterkant'),
        ('Basis (en omgekeerde kaart)', 'Voorkant', 'Achterkant'),
        ('Basis (omgekeerde kaart optioneel)', 'Voorkant', 'Achterkant', 'Omgekeerde toevoegen'),
        ('Basisch (typ het antwoord in)', 'Voorkant', 'Achterkant'),
        ('Cloze', 'Tekst', 'Back Extra'),
    ),
    "oc_FR": (
        ('Elementari', 'Front', 'Verso'),
        ('Generalitats (dos senses)', 'Front', 'Verso'),
        ('Generalitats (convèrsa facultativa)', 'Front', 'Verso', 'Apondre lo verso'),
        ('Basic (type in the answer)', 'Front', 'Verso'),
        ('Tèxte amb traucs', 'Text', 'Back Extra'),
    ),
    "or_OR": (
        ('ମୌଳିକ', 'ସାମ୍ନା', 'ପଛ'),
        ('ମୌଳିକ (ଏବଂ ଓଲଟା ପତ୍ର)', 'ସାମ୍ନା', 'ପଛ'),
        ('ମୌଳିକ (ବୈକଲ୍ପିକ ଓଲଟା ପତ୍ର)', 'ସାମ୍ନା', 'ପଛ', 'ଓଲଟା ଯୋଡ଼ନ୍ତୁ'),
        ('ମୌଳିକ (ଉତ୍ତର ଟାଇପ୍ କରନ୍ତୁ)', 'ସାମ୍ନା', 'ପଛ'),
        ('କ୍ଲୋଜ୍', 'ପାଠ୍ୟ', 'ପଛ ଅତିରିକ୍ତ'),
    ),
    "pl_PL": (
        ('Podstawowy', 'Przód', 'Tył'),
        ('Podstawowy (z odwrotną kartą)', 'Przód', 'Tył'),
        ('Podstawowy (z opcjonalną odwrotną kartą)', 'Przód', 'Tył', 'Dodaj rewers'),
        ('Podstawowy (wpisywanie odpowiedzi)', 'Przód', 'Tył'),
        ('Luka', 'Tekst', 'Tył dodatkowy'),
    ),
    "pt_BR": (
        ('Básico', 'Frente', 'Verso'),
        ('Básico (e cartão invertido)', 'Frente', 'Verso'),
        ('Básico (cartão invertido opcional)', 'Frente', 'Verso', 'Adicionar Invertido'),
        ('Básico (digite a resposta)', 'Frente', 'Verso'),
        ('Omissão de Palavras', 'Texto', 'Verso Extra'),
    ),
    "pt_PT": (
        ('Básico', 'Frente', 'Verso'),
        ('Básico (e ficha invertida)', 'Frente', 'Verso'),
        ('Básico (ficha invertida opcional)', 'Frente', 'Verso', 'Adicionar invertido'),
        ('Básico (digite a resposta)', 'Frente', 'Verso'),
        ('Omissão de Palavras', 'Texto', 'Back Extra'),
    ),
    "ro_RO": (
        ('De bază', 'Față', 'Verso'),
        ('De bază (și cu card întors)', 'Față', 'Verso'),
        ('De bază (opțional cu card întors)', 'Față', 'Verso', 'Adaugă verso'),
        ('De bază(tastați răspunsul)', 'Față', 'Verso'),
        ('Test cu cuvinte lipsă', 'Text', 'Verso adițional'),
    ),
    "ru_RU": (
        ('Простая', 'Front', 'Back'),
        ('Простая (с обратной карточкой)', 'Front', 'Back'),
        ('Простая (с обратной по выбору)', 'Front', 'Back', 'Добавить обратную'),
        ('Простая (с вводом ответа)', 'Front', 'Back'),
        ('Задание с пропусками', 'Текст', 'Дополнение оборота'),
    ),
    "sk_SK": (
        ('Základný', 'Predná strana', 'Zadná strana'),
        ('Základný (plus obrátená karta)', 'Predná strana', 'Zadná strana'),
        ('Základný (plus voliteľná obrátená karta)', 'Predná strana', 'Zadná strana', 'Pridať zadnú stranu karty'),
        ('Basic (type in the answer)', 'Predná strana', 'Zadná strana'),
        ('Doplňovačka', 'Text', 'Dodatočná zadná strana.'),
    ),
    "sl_SI": (
        ('Osnovna', 'Spredaj', 'Zadaj'),
        ('Osnovna (in obrnjena kartica)', 'Spredaj', 'Zadaj'),
        ('Osnovna (in izbirno obrnjena kartica)', 'Spredaj', 'Zadaj', 'Dodaj obratno'),
        ('Osnovna (vnesi odgovor)', 'Spredaj', 'Zadaj'),
        ('Zapora podatka', 'Besedilo', 'Dodatno na zadnji strani'),
    ),
    "sr_SP": (
        ('Основно', 'Лице', 'Наличје'),
        ('Основна (и обратне карте)', 'Лице', 'Наличје'),
        ('Основна (обратне по избору)', 'Лице', 'Наличје', 'Додај повратак'),
        ('Basic (type in the answer)', 'Лице', 'Наличје'),
        ('Пропусти', 'Текст', 'Back Extra'),
    ),
    "sv_SE": (
        ('Grundläggande', 'Framsida', 'Baksida'),
        ('Bas (och omvänt kort)', 'Framsida', 'Baksida'),
        ('Bas (valbart omvänt kort)', 'Framsida', 'Baksida', 'Lägg till Omvänt'),
        ('Bas (skriv in svaret)', 'Framsida', 'Baksida'),
        ('Lucktext', 'Text', 'Baksida Extra'),
    ),
    "th_TH": (
        ('พื้นฐาน', 'ด้านหน้า', 'ด้านหลัง'),
        ('พื้นฐาน (และการ์ดแบบกลับด้าน)', 'ด้านหน้า', 'ด้านหลัง'),
        ('Basic (optional reversed card)', 'ด้านหน้า', 'ด้านหลัง', 'เพิ่มการ์ดแบบกลับด้าน'),
        ('พื้นฐาน (พิมพ์ตอบ)', 'ด้านหน้า', 'ด้านหลัง'),
        ('เติมคำ', 'ข้อความ', 'Back Extra'),
    ),
    "tr_TR": (
        ('Temel', 'Ön', 'Geri'),
        ('Temel (ve ters kart)', 'Ön', 'Geri'),
        ('Temel (seçimli ters kart)', 'Ön', 'Geri', 'Tersini Ekle'),
        ('Basic (type in the answer)', 'Ön', 'Geri'),
        ('Boşluklu', 'Metin', 'Back Extra'),
    ),
    "ug": (
        ('ئاساسى', 'خەت نۇسخا', 'قايت'),
        ('ئاساسى (ئۆرۈلىدىغان كارتا)', 'خەت نۇسخا', 'قايت'),
        ('ئاساسى (تاللاشچان ئۆرۈلىدىغان كارتا)', 'خەت نۇسخا', 'قايت', 'ئەكسىچە كارتا قوش'),
        ('ئاساسىي (جاۋاب كىرگۈزىدىغان)', 'خەت نۇسخا', 'قايت'),
        ('بوش ئورۇن تولدۇرۇش', 'تېكىست', 'ئارقا تەرەپ قوشۇمچە مەزمۇن'),
    ),
    "uk_UA": (
        ('Базовий', 'Передня сторона', 'Зворотна сторона'),
        ('Базовий (зі зворотною карткою)', 'Передня сторона', 'Зворотна сторона'),
        ("Базовий (з необов'язковою зворотною карткою)", 'Передня сторона', 'Зворотна сторона', 'Додати зворотну сторону'),
        ('Базовий (з вдрукуванням відповіді)', 'Передня сторона', 'Зворотна сторона'),
        ('Закритий текст', 'Текст', 'Додатково'),
    ),
    "uz_UZ": (
        ('Oddiy', 'Oldi', 'Orqasi'),
        ('Oddiy (va teskari karta)', 'Oldi', 'Orqasi'),
        ('Oddiy (va ixtiyoriy teskari karta)', 'Oldi', 'Orqasi', 'Teskarisini qoʻshish'),
        ('Oddiy (javobni kiritish)', 'Oldi', 'Orqasi'),
        ('Boʻshliqni toʻldirish', 'Matn', 'Orqa qoʻshimcha'),
    ),
    "vi_VN": (
        ('Cơ bản', 'Mặt trước', 'Mặt sau'),
        ('Cơ bản (với thẻ ngược)', 'Mặt trước', 'Mặt sau'),
        ('Cơ bản (thẻ ngược tùy chọn)', 'Mặt trước', 'Mặt sau', 'Thêm Thẻ ngược'),
        ('Cơ bản (nhập câu trả lời)', 'Mặt trước', 'Mặt sau'),
        ('Điền chỗ trống', 'Văn bản', 'Quay lại kép'),
    ),
    "yi": (
        ('עיקרדיק', 'פֿאָרנט', 'הינטן'),
        ('עיקרדיק (און פֿאַרקערט קאַרטל)', 'פֿאָרנט', 'הינטן'),
        ('עיקרדיק (ברירהדיק פֿאַרקערט קאַרטל)', 'פֿאָרנט', 'הינטן', 'צולייגן פֿאַרקערט קאַרטל'),
        ('עיקרדיק (אַרײַנקלאַפּן די ענטפֿער)', 'פֿאָרנט', 'הינטן'),
        ('שפּאַלט', 'טעקסט', 'הינטן (איבעריק)'),
    ),
    "zh_CN": (
        ('问答题', '正面', '背面'),
        ('问答题（附翻转卡片）', '正面', '背面'),
        ('问答题（可选附翻转卡片）', '正面', '背面', '增加翻转的卡片'),
        ('问答题（输入答案）', '正面', '背面'),
        ('填空题', '文字', '背面额外'),
    ),
    "zh_TW": (
        ('基本型', '正面', '背面'),
        ('基本型（含反向卡片）', '正面', '背面'),
        ('基本型（選擇性反向卡片）', '正面', '背面', '加入反向卡片'),
        ('基本型（輸入答案）', '正面', '背面'),
        ('克漏字', '文字', '背面額外內容'),
    ),
}

# Names from earlier versions of the same translation files that a vault written for an older
# Anki may still use. Source: ankitects/anki-core-i18n core/zh-CN/notetypes.ftl (commit
# 00ac634b), core/ja, core/ko, core/ru, core/it, core/uk (commit 08e5517f), core/de (commit
# 0796ad2c), core/zh-TW (commit 017530fc) notetypes.ftl. Canonical type -> (type names, {canonical
# field: field names}).
HISTORICAL: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "Basic": (
        ("기본", "Основная", "Базова"),
        {"Front": ("앞면", "Лицо", "Лицьова сторона"), "Back": ("뒷면", "Оборот", "Назад")},
    ),
    "Basic (and reversed card)": (
        ("问答题（同时生成翻转的卡片）", "Basic (裏表反転カード付き)", "기본 (역방향 카드 포함)",
         "Основная (с обратной карточкой)", "Einfach (beide Richtungen)", "基本型 (含反向卡片)",
         "Базова (із зворотньою карткою)"),
        {"Front": ("앞면", "Лицо", "Лицьова сторона"), "Back": ("뒷면", "Оборот", "Назад")},
    ),
    "Basic (optional reversed card)": (
        ("问答题（同时生成翻转的卡片<可选>）", "Basic (裏表反転カード追加可能)",
         "기본 (선택적 역방향 카드)", "Основная (обратная по выбору)",
         "Einfach (eine oder zwei Richtungen)", "基本型 (可選用反向卡片)",
         "Базова (із необов'язковою зворотньою карткою )"),
        {"Front": ("앞면", "Лицо", "Лицьова сторона"), "Back": ("뒷면", "Оборот", "Назад"),
         "Add Reverse": ("添加翻转的卡片", "裏面カードを追加", "반대 방향 추가",
                         "Gegenrichtung hinzufügen", "新增反向卡片", "Додати зворотню сторону")},
    ),
    "Basic (type in the answer)": (
        ("Basic (解答タイピング入力)", "기본 (답 입력)", "Основная (с вводом ответа)",
         "基本型 (輸入答案)", "Звичайний (З веденням відповіді)"),
        {"Front": ("앞면", "Лицо", "Лицьова сторона"), "Back": ("뒷면", "Оборот", "Назад")},
    ),
    "Cloze": (
        ("穴埋め", "빈칸 뚫기", "Testo da completare", "Картка з пробілами"),
        {"Text": ("내용",), "Back Extra": ("背面額外", "Зворотня сторона за бажанням")},
    ),
}

#: Field names Anki used before it renamed them (Anki ≤ 2.1.27 named Cloze's second field
#: "Extra"). A prefix with such a name is reported and its text goes to the type's last field.
LEGACY_FIELDS: tuple[str, ...] = ("Extra",)


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """Matching key of a note-type or field name: NFKC (full-width parentheses become ASCII),
    case-folded, runs of whitespace collapsed, trimmed. ``"问答题（附翻转卡片）"`` and
    ``"问答题(附翻转卡片)"`` share a key."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", name)).strip().casefold()


def _stock_types() -> tuple[NoteType, ...]:
    aliases: dict[str, list[str]] = {name: [] for name in STOCK_FIELDS}
    field_aliases: dict[str, list[tuple[str, str]]] = {name: [] for name in STOCK_FIELDS}
    for rows in LOCALIZED.values():
        for canonical, row in zip(_STOCK_ORDER, rows, strict=True):
            aliases[canonical].append(row[0])
            for canonical_field, local in zip(STOCK_FIELDS[canonical], row[1:], strict=True):
                field_aliases[canonical].append((local, canonical_field))
    for canonical, (names, fields) in HISTORICAL.items():
        aliases[canonical].extend(names)
        for canonical_field, locals_ in fields.items():
            field_aliases[canonical].extend((local, canonical_field) for local in locals_)
    out = []
    for canonical, fields in STOCK_FIELDS.items():
        seen = {name_key(canonical)}
        names = []
        for alias in aliases[canonical]:
            if name_key(alias) not in seen:
                seen.add(name_key(alias))
                names.append(alias)
        seen_f = {name_key(f) for f in fields}
        flds = []
        for local, canonical_field in field_aliases[canonical]:
            if name_key(local) not in seen_f:
                seen_f.add(name_key(local))
                flds.append((local, canonical_field))
        out.append(
            NoteType(
                name=canonical,
                fields=fields,
                base=canonical,
                aliases=tuple(names),
                field_aliases=tuple(flds),
            )
        )
    return tuple(out)


#: The built-in stock note types, with Anki's localized names as aliases.
STOCK_TYPES: tuple[NoteType, ...] = _stock_types()


def stock_type(name: str) -> NoteType:
    """The built-in stock type called ``name`` (canonical English name).

    Raises:
        KeyError: when ``name`` is not one of :data:`STOCK_FIELDS`.
    """
    for note_type in STOCK_TYPES:
        if note_type.name == name:
            return note_type
    raise KeyError(name)


def is_stock_alias(name: str, fields: Iterable[str]) -> bool:
    """``True`` when ``name`` with ``fields`` is just a stock type under a localized name
    (e.g. the plugin's ``fields_dict`` entry ``"问答题": ["正面", "背面"]``): such entries need
    no custom note type."""
    key = name_key(name)
    fields = list(fields)
    for note_type in STOCK_TYPES:
        if key == name_key(note_type.name) or key in {name_key(a) for a in note_type.aliases}:
            index = NoteTypeIndex((note_type,))
            canon = [index.field_name(note_type, f) for f in fields]
            return canon == list(note_type.fields)
    return False


class NoteTypeIndex:
    """Looks up note types by the name written in a block and field names by prefix.

    Args:
        custom: note types from the vault's config; one with a stock type's name replaces it.

    Resolution order (EXPECTED.md, decision 5): exact name, then case-insensitive (NFKC,
    case-folded), then Anki's localized names of the stock types, then custom types' aliases.
    """

    def __init__(self, custom: Iterable[NoteType] = ()) -> None:
        custom = tuple(custom)
        custom_names = {t.name for t in custom}
        self.types: tuple[NoteType, ...] = tuple(
            t for t in STOCK_TYPES if t.name not in custom_names
        ) + custom
        self._exact = {t.name: t for t in self.types}
        self._folded: dict[str, NoteType] = {}
        for t in self.types:
            self._folded.setdefault(name_key(t.name), t)
        self._aliases: dict[str, NoteType] = {}
        for t in self.types:
            for alias in t.aliases:
                self._aliases.setdefault(name_key(alias), t)
        self._fields: dict[str, dict[str, str]] = {}
        for t in self.types:
            table = {name_key(f): f for f in t.fields}
            for local, canonical in t.field_aliases:
                table.setdefault(name_key(local), canonical)
            self._fields[t.name] = table
        #: every canonical field name of every type, plus legacy names: a ``Name:`` prefix
        #: with one of these names in a type that lacks it is reported (decision 6).
        self.foreign_fields: dict[str, str] = {}
        for t in self.types:
            for f in t.fields:
                self.foreign_fields.setdefault(name_key(f), f)
        for f in LEGACY_FIELDS:
            self.foreign_fields.setdefault(name_key(f), f)

    def resolve(self, written: str) -> NoteType | None:
        """The note type a block's type line names, or ``None`` when none matches."""
        name = written.strip()
        if name in self._exact:
            return self._exact[name]
        key = name_key(name)
        return self._folded.get(key) or self._aliases.get(key)

    def field_name(self, note_type: NoteType, written: str) -> str | None:
        """Canonical name of the field ``written`` names in ``note_type`` (case-insensitive,
        localized names accepted), or ``None``."""
        table = self._fields.get(note_type.name)
        if table is None:
            table = {name_key(f): f for f in note_type.fields}
            for local, canonical in note_type.field_aliases:
                table.setdefault(name_key(local), canonical)
            self._fields[note_type.name] = table
        return table.get(name_key(written))

    def names(self) -> list[str]:
        """Canonical names of every known note type, stock types first."""
        return [t.name for t in self.types]
