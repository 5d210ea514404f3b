"""Data: Anki's localized names of its stock note types and their fields, current
(:data:`LOCALIZED`) and historical (:data:`HISTORICAL`). Pure data, read by
:mod:`mkdeck.config.notetypes`."""

from __future__ import annotations

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
