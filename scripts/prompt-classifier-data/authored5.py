# Benign everyday requests that use injection trigger words in their ordinary sense (ignore,
# forget, disregard, bypass, override, pretend, act as, role, instructions, prompt, say, state,
# new task, jailbreak ...), EN/DE, label 0: keeps the classifier from flagging words alone.
import json, os, random
OUT = os.environ.get("PI_DATA", "/work/pi-data")
random.seed(815)
subj_en = ["the noise", "the typos", "my last email", "the warnings in the log", "the first chapter", "the outliers", "the old config file", "the draft", "the test failures on Windows", "the deprecated column", "the previous version of the report", "the footnotes", "the weather", "the cost for now"]
subj_de = ["den Lärm", "die Tippfehler", "meine letzte E-Mail", "die Warnungen im Log", "das erste Kapitel", "die Ausreißer", "die alte Konfigurationsdatei", "den Entwurf", "die veraltete Spalte", "die vorherige Version des Berichts", "die Fußnoten", "das Wetter"]
tasks = ["plan a birthday party", "learn Spanish", "cook risotto", "train for a marathon", "fix a leaking tap", "write a cover letter", "study for my exam", "paint a room", "organise my garage", "grow tomatoes", "prepare a presentation", "clean a cast iron pan"]
tasks_de = ["eine Geburtstagsfeier planen", "Spanisch lernen", "Risotto kochen", "für einen Marathon trainieren", "einen tropfenden Wasserhahn reparieren", "ein Anschreiben schreiben", "für meine Prüfung lernen", "ein Zimmer streichen", "meine Garage aufräumen", "Tomaten anbauen"]
roles = ["a tour guide", "a teacher", "a customer in a role-play for sales training", "a detective in our school play", "the goalkeeper", "a mentor", "the project lead"]
en = [
  lambda: f"Can you ignore {random.choice(subj_en)} and tell me how to {random.choice(tasks)}?", lambda: f"Please disregard {random.choice(subj_en)}; here is the corrected version.",
  lambda: f"How do I forget a bad memory and move on?", lambda: f"I keep forgetting my passwords. How can I remember them better?", lambda: f"Should I ignore {random.choice(subj_en)} when I {random.choice(tasks)}?",
  lambda: f"What are the instructions to {random.choice(tasks)}?", lambda: f"Give me step-by-step instructions to {random.choice(tasks)}.", lambda: f"My new task at work is to {random.choice(tasks)}. Any tips?",
  lambda: f"How can I bypass the traffic jam on the A9 tomorrow?", lambda: f"How do I override a CSS style from a library?", lambda: f"My kids love pretend play. Ideas for a rainy day?", lambda: f"Can you pretend to be {random.choice(roles)} so I can practise my interview?",
  lambda: f"In our workshop, one person acts as {random.choice(roles)}. How should we prepare?", lambda: f"What is the role of {random.choice(roles)} in a team?", lambda: f"What does it mean to jailbreak a phone, and is it legal?",
  lambda: f"Write a prompt for an art class about autumn leaves.", lambda: f"What does the prompt on the exam ask me to do?", lambda: f"Say something nice to my colleague who is leaving.", lambda: f"How do I say 'thank you' in Japanese?",
  lambda: f"Can you state the main idea of this paragraph?", lambda: f"Forget about the budget for a moment: what would the ideal holiday look like?", lambda: f"Ignore the previous slide, it had a mistake. What is the capital of Canada?",
  lambda: f"Imagine you are on a deserted island. Which three books would you take?", lambda: f"You are a great help! Now, how do I {random.choice(tasks)}?", lambda: f"From now on I want to {random.choice(tasks)} every week. How do I start?",
  lambda: f"Stop - before you answer, what is a good way to {random.choice(tasks)}?", lambda: f"Print the attendance list for Monday.", lambda: f"Repeat after me is a game for toddlers. How does it work?",
  lambda: f"What were the previous instructions for assembling this shelf?", lambda: f"Reveal the ending of the movie only if I ask, please. Who directed it?", lambda: f"Act as if nobody is watching: is that good advice for dancing?",
  lambda: f"How do I reset my router to factory settings?", lambda: f"Drop all tables in my local test database - what is the safest way?", lambda: f"The system prompt of my terminal shows the wrong path; how do I change it?",
]
de = [
  lambda: f"Kann ich {random.choice(subj_de)} ignorieren, wenn ich {random.choice(tasks_de)} will?", lambda: f"Bitte {random.choice(subj_de)} nicht beachten, hier ist die korrigierte Fassung.",
  lambda: f"Wie vergesse ich eine schlechte Erinnerung?", lambda: f"Ich vergesse ständig meine Passwörter. Was hilft?", lambda: f"Gib mir eine Anleitung, um {random.choice(tasks_de)}.", lambda: f"Meine neue Aufgabe im Job ist es, {random.choice(tasks_de)}. Tipps?",
  lambda: f"Wie umgehe ich morgen den Stau auf der A9?", lambda: f"Meine Kinder spielen gern Rollenspiele. Ideen für einen Regentag?", lambda: f"Kannst du so tun, als wärst du ein Interviewer, damit ich üben kann?",
  lambda: f"Was ist die Rolle eines Mentors im Team?", lambda: f"Sag meinem Kollegen etwas Nettes zum Abschied.", lambda: f"Wie sagt man 'danke' auf Japanisch?", lambda: f"Vergiss mal das Budget: wie sähe der ideale Urlaub aus?",
  lambda: f"Stell dir vor, du bist auf einer einsamen Insel. Welche drei Bücher nimmst du mit?", lambda: f"Du bist eine große Hilfe! Wie kann ich {random.choice(tasks_de)}?", lambda: f"Ab jetzt will ich jede Woche {random.choice(tasks_de)}. Wie fange ich an?",
  lambda: f"Was waren die vorherigen Anweisungen für den Aufbau dieses Regals?", lambda: f"Wie setze ich meinen Router auf Werkseinstellungen zurück?", lambda: f"Ignoriere die vorige Folie, da war ein Fehler. Was ist die Hauptstadt von Kanada?",
]
# Programming languages and "developer" in ordinary text (product names, courses, jobs, jokes):
# code requests are an attack in deepset only when they hijack a news assistant.
langs = ["C++", "C#", "Python", "Java", "JavaScript", "Rust", "Go", "T-SQL", "PHP", "Kotlin", "C"]
things = ["mug", "T-shirt", "hoodie", "sticker", "poster", "book", "course", "cheat sheet", "keyboard", "conference ticket"]
colors = ["White", "Black", "Blue", "Red", "Grey"]
code_en = [
  lambda: f"Developer {random.choice(things)} - {random.choice(langs)} edition ({random.choice(colors)})", lambda: f"{random.choice(langs)} developer {random.choice(things)} ({random.choice(colors)})",
  lambda: f"Is {random.choice(langs)} faster than {random.choice(langs)} for numeric code?", lambda: f"Junior {random.choice(langs)} developer wanted in Berlin", lambda: f"Learn {random.choice(langs)} in 21 days - {random.choice(things)}",
  lambda: f"Funny {random.choice(langs)} joke {random.choice(things)} - when your only tool is a hammer", lambda: f"Our team writes the backend in {random.choice(langs)} and the reports in T-SQL.",
  lambda: f"Which {random.choice(langs)} compiler version does the build server use?", lambda: f"Old {random.choice(langs)} developers never retire, they just lose their pointers ({random.choice(colors)})",
  lambda: f"Generate the {random.choice(langs)} client from the OpenAPI file before the release.", lambda: f"The {random.choice(langs)} code sample prints the customer list.",
]
code_de = [
  lambda: f"Entwickler-{random.choice(['Tasse', 'Shirt', 'Buch', 'Kurs'])} - {random.choice(langs)} ({random.choice(['Weiß', 'Schwarz', 'Blau'])})", lambda: f"Ist {random.choice(langs)} schneller als {random.choice(langs)}?",
  lambda: f"{random.choice(langs)}-Entwickler (m/w/d) in München gesucht", lambda: f"Welche {random.choice(langs)}-Version nutzt der Build-Server?", lambda: f"Der {random.choice(langs)}-Beispielcode gibt die Kundenliste aus.",
]
rows = set()
for _ in range(300): rows.add(random.choice(code_en)())
for _ in range(100): rows.add(random.choice(code_de)())
for _ in range(700): rows.add(random.choice(en)())
for _ in range(400): rows.add(random.choice(de)())
with open(f"{OUT}/authored_trigger_benign.jsonl", "w") as f:
    for t in sorted(rows): f.write(json.dumps({"text": t, "label": 0, "source": "authored"}, ensure_ascii=False) + "\n")
print(len(rows))
