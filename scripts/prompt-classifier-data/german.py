# Benign German text against the "German => attack" bias (only for PI_GERMAN=1 of run.sh; the
# shipped model of the default recipe does not read these files). Label 0.
#   german_benign.jsonl (source german_benign): Tatoeba sentences (CC-BY-2.0-FR, via
#     facebookresearch/LASER's test set, data/tatoeba/v1/tatoeba.deu-eng.deu, 1,000 lines) of the
#     TRAIN groups, each sentence alone and each group's five sentences as one "paragraph";
#     rows carry "group" (one cross-validation group per five-sentence group: a sentence and the
#     paragraph it is in are never in different folds).
#   authored_german_benign.jsonl (source authored_german_benign): German SQL comments and user
#     requests written for DataMigrate (below), each its own group.
#   german_dev.jsonl: the DEV groups (sentences, five-sentence paragraphs, and the English side of
#     the same lines as English paragraphs). NEVER trained on (run.sh does not pass it to the
#     trainer); german-dev.ts measures false positives on it.
# Split: the file's lines in order form 200 groups of 5 consecutive lines; a seeded shuffle puts
# 80 groups (400 sentences) in DEV and 120 in TRAIN, fixed before any model was trained on it.
import json, os, random, subprocess, sys
M = os.environ.get("PI_MIRROR", "/work/.mirror")
OUT = os.environ.get("PI_DATA", "/work/pi-data")
LASER = ("facebookresearch+LASER", "74bc6ae7ffb7cba670fe0f428d0ede9f666fb821")
def blob(path):
    repo, commit = LASER
    g = f"{M}/{repo}/repo"
    if not os.path.isdir(g):
        sys.exit(f"{__file__}: no mirror of {repo.replace('+', '/')} at {g} (fetch github:{repo.replace('+', '/')})")
    r = subprocess.run(["git", f"--git-dir={g}", "cat-file", "blob", f"{commit}:{path}"], capture_output=True)
    if r.returncode:
        sys.exit(f"{__file__}: {repo.replace('+', '/')}@{commit}:{path}: {r.stderr.decode().strip()}")
    return r.stdout.decode("utf8").split("\n")
de = [l.strip() for l in blob("data/tatoeba/v1/tatoeba.deu-eng.deu")]
en = [l.strip() for l in blob("data/tatoeba/v1/tatoeba.deu-eng.eng")]
while de and not de[-1]: de.pop()
while en and not en[-1]: en.pop()
if len(de) != len(en) or len(de) < 500:
    sys.exit(f"{__file__}: tatoeba.deu-eng: {len(de)} German and {len(en)} English lines (expected equal, >= 500)")
groups = [list(range(i, min(i + 5, len(de)))) for i in range(0, len(de), 5)]
order = list(range(len(groups)))
random.Random(20261126).shuffle(order)
n_dev = round(len(groups) * 0.4)
dev_ids, train_ids = sorted(order[:n_dev]), sorted(order[n_dev:])

def row(text, group, kind, lang="de", source=None):
    r = {"text": text, "label": 0, "group": group, "kind": kind, "lang": lang}
    if source: r["source"] = source
    return r
train = []
for g in train_ids:
    for i in groups[g]: train.append(row(de[i], f"tatoeba_de:{g}", "sentence", source="german_benign"))
    train.append(row(" ".join(de[i] for i in groups[g]), f"tatoeba_de:{g}", "paragraph", source="german_benign"))
dev = []
for g in dev_ids:
    for i in groups[g]: dev.append(row(de[i], f"tatoeba_de:{g}", "sentence"))
    dev.append(row(" ".join(de[i] for i in groups[g]), f"tatoeba_de:{g}", "paragraph"))
    dev.append(row(" ".join(en[i] for i in groups[g]), f"tatoeba_de:{g}", "paragraph", lang="en"))

# Hand-written for DataMigrate: German comments as they appear in customers' SQL, and German
# requests/notes a user types into the product. Ordinary wording, some with words injections use
# too (ignorieren, Anweisung, vergessen, neu, ausgeben) in their everyday sense.
authored = [
  "-- Umsatz je Kunde und Monat", "/* alte Logik, bitte nicht löschen */", "-- TODO: Index auf bestellungen.kunde_id prüfen",
  "-- Stornierte Aufträge werden hier ignoriert", "-- Achtung: Spalte wird ab Version 3 nicht mehr befüllt", "/* Hilfstabelle für den Monatsabschluss */",
  "-- Nur aktive Mandanten berücksichtigen", "-- Summe der offenen Posten pro Debitor", "-- Anpassung laut Ticket FIBU-1432 (Herr Maier)",
  "/* Diese Prozedur wird nachts vom Agenten aufgerufen. Nicht manuell starten! */", "-- Datum im Format JJJJ-MM-TT", "-- Dubletten entfernen, neueste Zeile behalten",
  "-- Fallback, falls kein Wechselkurs vorhanden ist", "-- Kostenstelle aus der Stammdatentabelle übernehmen", "/* Bitte vor dem Deployment mit der Fachabteilung abstimmen */",
  "-- Mehrwertsteuer 19 %, ermäßigt 7 %", "-- Temporäre Tabelle, wird am Ende gelöscht", "-- Leere Zeichenketten als NULL behandeln",
  "-- Die vorherige Version hat Gutschriften doppelt gezählt", "-- Anweisung für den Export nach DATEV", "/* Geändert von T. Schulz am 12.03.2021: Rabattstaffel neu */",
  "-- Lagerbestand zum Stichtag", "-- Fehlerhafte Buchungen aus 2019 werden übersprungen", "-- Ignoriere Testkunden (Kundennummer beginnt mit 9)",
  "-- Reihenfolge ist wichtig, sonst schlägt der Fremdschlüssel fehl", "/* Berechnet die Provision für Außendienstmitarbeiter */", "-- Nicht vergessen: Statistik aktualisieren",
  "-- Gibt alle Artikel ohne Preis aus", "-- Neue Anweisung seit 2022: Skonto getrennt ausweisen", "-- Quartalswerte aufsummieren, Vorjahr zum Vergleich",
  "/* Workaround für den Rundungsfehler in der alten Warenwirtschaft */", "-- Sperrkennzeichen: 1 = gesperrt, 0 = frei", "-- Alle Zeilen löschen, die älter als zehn Jahre sind (Aufbewahrungsfrist)",
  "-- Der Trigger schreibt jede Änderung ins Protokoll", "-- Postleitzahlen immer fünfstellig mit führender Null", "/* Sicht für das Controlling, nur lesender Zugriff */",
  "-- Hier bitte keine SELECT * verwenden", "-- Schleife über alle Filialen", "-- Rückgabewert: Anzahl der geänderten Zeilen",
  "-- Kundenname in Großbuchstaben für den Abgleich", "-- Zeitzone Europe/Berlin beachten", "/* Migration von Oracle: NVL wurde durch COALESCE ersetzt */",
  "Bitte migriere die Tabelle Kunden auch, die Spalte Bemerkung ist leer.", "Die Prozedur berechnet den Umsatz falsch, kannst du sie prüfen?",
  "Ich möchte nur das Schema übernehmen, die Daten kommen später.", "Warum schlägt die Migration bei der Tabelle Rechnungen fehl?",
  "Ignoriere bitte die Warnungen zu den leeren Spalten, die sind bekannt.", "Kannst du mir erklären, was dieser Trigger macht?",
  "Die Kommentare im Code sind auf Deutsch, bitte übernimm sie unverändert.", "Gib mir eine Liste aller Tabellen ohne Primärschlüssel aus.",
  "Vergiss die alte Staging-Datenbank, wir nutzen jetzt die neue.", "Wie lange dauert die Migration ungefähr bei 40 GB?",
  "Mein Kollege hat die Sicht gestern geändert. Bitte nimm die neue Fassung.", "Die Umlaute in den Artikelbezeichnungen werden falsch angezeigt.",
  "Bitte schreib die Abfrage so um, dass sie auf PostgreSQL läuft.", "Das Feld Geburtsdatum ist manchmal 01.01.1900, das bedeutet unbekannt.",
  "Wir haben drei Mandanten. Jeder hat sein eigenes Schema. Die Stammdaten sind gemeinsam.", "Kannst du die Fremdschlüssel erst am Ende anlegen?",
  "Die Anweisungen im Handbuch sind veraltet. Wie starte ich den Export heute?", "Ich bin neu im Team und soll die Datenbank übernehmen. Wo fange ich an?",
  "Neue Aufgabe: Bestandsdaten aus dem Altsystem übernehmen. Was muss ich beachten?", "Bitte prüfe, ob die Summen nach der Migration gleich sind.",
  "Du hast mir gestern sehr geholfen. Heute geht es um die Lagertabellen.", "Was passiert mit den gespeicherten Prozeduren, die dynamisches SQL verwenden?",
  "Die Spalte heißt 'Straße', ist das ein Problem für den Zielserver?", "Bitte keine Daten löschen, nur lesen.", "Schreib mir eine kurze Zusammenfassung der Änderungen.",
  "Der Bericht zeigt seit Montag keine Zahlen mehr an. Woran kann das liegen?", "Ab sofort sollen alle Zeitstempel in UTC gespeichert werden.",
  "Bitte antworte auf Deutsch, meine Kollegen lesen mit.", "Stell dir vor, die Quelle hat keine Primärschlüssel: wie erkennst du Dubletten?",
]
auth = [{"text": t, "label": 0, "source": "authored_german_benign", "kind": "sql_comment" if t.startswith(("--", "/*")) else "request", "lang": "de"} for t in authored]
if len(set(authored)) != len(authored): sys.exit(f"{__file__}: duplicate authored texts")

def write(name, rows):
    with open(f"{OUT}/{name}.jsonl", "w", encoding="utf8") as f:
        for r in rows: f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(name, len(rows), file=sys.stderr)
write("german_benign", train)
write("authored_german_benign", auth)
write("german_dev", dev)
meta = json.load(open(f"{OUT}/sources.json"))
meta["german_benign"] = {"repo": "facebookresearch/LASER", "commit": f"facebookresearch/LASER@{LASER[1]}", "license": "CC-BY-2.0-FR (Tatoeba)",
  "paths": ["data/tatoeba/v1/tatoeba.deu-eng.deu (German sentences of the TRAIN groups, alone and as five-sentence paragraphs; 80 of 200 groups held apart as DEV, never trained on)"], "rows": len(train)}
meta["authored_german_benign"] = {"repo": "written for DataMigrate (scripts/prompt-classifier-data/german.py): German SQL comments and user requests", "license": "project", "rows": len(auth)}
json.dump(meta, open(f"{OUT}/sources.json", "w"), indent=1)
