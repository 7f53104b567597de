"""Name lists for the generated packs, roughly in order of how common each name is, so the generator
can draw them with a Zipf-like weight: many Johns and Claires, few Zsófias. Written here, not
downloaded; modest on purpose. Accents, particles, apostrophes and hyphens are deliberate."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MALE = _words(
    "John James Michael David Robert William Richard Thomas Charles Joseph Daniel Matthew Mark Paul Peter "
    "George Edward Henry Jack Samuel Benjamin Alexander Nicholas Christopher Anthony Andrew Jonathan "
    "Patrick Sean Liam Noah Lucas Oliver Ethan Leo Hugo Mateo José Luis Carlos Diego Juan Miguel Pedro "
    "André François Jérôme Björn Søren Lars Sven Jan Pieter Dirk Kenji Hiroshi Wei Jun Arjun Ravi Omar "
    "Ali Yusuf Kofi Kwame Dmitri Ivan Sergei Mikhail Aleksander Zoltán Frank Walter Arthur Harold Raymond "
    "Gregory Victor Martin Simon Adam Nathan Isaac Elijah Caleb Owen Felix Jasper Rhys Declan Cormac "
    "Tobias Elias Matthias Stefan Luca Marco Giovanni Raúl Andrés Tomás Emil Rafael Gabriel Malik Jamal "
    "Tariq Hamid Rashid Eun-ho Min-jun Takeshi Haruto Connor Dylan Tyler Brandon Kevin Brian Scott Eric"
)
FEMALE = _words(
    "Mary Elizabeth Jennifer Sarah Emily Emma Olivia Claire Anna Katherine Margaret Catherine Rose Alice "
    "Grace Charlotte Lucy Eleanor Hannah Jessica Laura Rachel Rebecca Victoria Maria Sofía Lucía Inès Zoë "
    "Chloé Renée Hélène Céline Åsa Ingrid Astrid Freya Yuki Mei Aiko Priya Ananya Fatima Aisha Leila Amara "
    "Nadia Olga Natalia Tatiana Ewa Zsófia Siobhán Niamh Aoife Saoirse Dana Susan Patricia Linda Barbara "
    "Helen Ruth Joan Diana Julia Isabel Beatriz Carmen Elena Marta Paula Camille Margot Léa Agnès Greta "
    "Hanna Frida Kirsten Mette Noor Yasmin Layla Zainab Adaeze Chioma Abena Keiko Sakura Hana Ji-woo "
    "Seo-yeon Alexandra Christine Vanessa Melissa Nicole Amanda Megan Lauren Abigail Madison Harper Ivy"
)
NICKNAMES: dict[str, tuple[str, ...]] = {
    "John": ("Jack", "Johnny"), "Jonathan": ("Jon", "Johnny"), "William": ("Will", "Bill", "Billy"),
    "Robert": ("Rob", "Bob", "Bobby"), "Richard": ("Rick", "Richie"), "Thomas": ("Tom", "Tommy"),
    "Charles": ("Charlie", "Chuck"), "Joseph": ("Joe", "Joey"), "Daniel": ("Danny", "Dan"), "Matthew": ("Matt",),
    "Michael": ("Mike", "Mikey"), "Samuel": ("Sam",), "Benjamin": ("Ben", "Benny"), "Alexander": ("Alex", "Sasha"),
    "Nicholas": ("Nick", "Nico"), "Christopher": ("Chris", "Kit"), "Anthony": ("Tony",), "Andrew": ("Andy", "Drew"),
    "Edward": ("Ed", "Ned", "Teddy"), "Henry": ("Harry", "Hank"), "James": ("Jim", "Jimmy", "Jamie"),
    "Patrick": ("Paddy", "Pat"), "Frank": ("Frankie",), "Gregory": ("Greg",), "Dmitri": ("Dima",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"), "Katherine": ("Kate", "Kat", "Kitty"), "Catherine": ("Cat", "Cathy"),
    "Margaret": ("Maggie", "Meg", "Peggy"), "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"), "Patricia": ("Pat", "Trish"), "Susan": ("Sue", "Suzy"),
    "Alexandra": ("Alex", "Sasha", "Lexi"), "Eleanor": ("Ellie", "Nell"), "Christine": ("Chris", "Tina"),
    "Natalia": ("Natasha", "Talia"), "Abigail": ("Abby",), "Isabel": ("Izzy", "Bel"), "Amanda": ("Mandy",),
    "Barbara": ("Babs",), "Helen": ("Nell",), "Olivia": ("Liv",), "Charlotte": ("Lottie", "Charlie"),
}
SURNAMES = _words(
    "Smith Jones Williams Brown Taylor Davies Wilson Evans Thomas Johnson Roberts Walker Wright Robinson "
    "Thompson White Hughes Edwards Green Hall Wood Harris Lewis Martin Jackson Clarke Clark Turner Hill "
    "Scott Cooper Morris Ward Moore King Watson Baker Harrison Morgan Patel Young Allen Mitchell James "
    "Anderson Phillips Lee Bell Parker Davis Miller Garcia Rodriguez Martinez Hernández López González "
    "Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Cruz Morales Ortiz Gutiérrez Chávez Ramos Ruiz "
    "Núñez Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dupont Durand Lefèvre "
    "Moreau Laurent Girard Bonnet Rousseau Fontaine Rossi Russo Ferrari Esposito Bianchi Romano Colombo "
    "Ricci Marino Greco Nguyen Tran Le Pham Kim Park Choi Jung Kang Cho Yoon Tanaka Suzuki Takahashi "
    "Watanabe Itō Yamamoto Nakamura Kobayashi Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Singh Kumar "
    "Sharma Gupta Khan Ahmed Ali Hussain Rahman Okafor Okonkwo Mensah Owusu Adeyemi Ivanov Petrov Smirnov "
    "Volkov Popov Kowalski Nowak Wiśniewski Dvořák Novák Kovačević Horváth Nagy Sørensen Johansson Andersson "
    "Nilsson Larsen Hansen Jensen Ødegaard Virtanen Korhonen Murphy Kelly Byrne Walsh Ryan Doyle Quinn "
    "Gallagher Brennan Fitzgerald Carver Holloway Ashford Blackwood Thornton Whitaker Pemberton Langley "
    "Fairchild Hargrove Winslow Sinclair Calloway Harlow Mercer Draper Fletcher Sawyer Hayward Ellison"
)
PARTICLE_SURNAMES = (
    "van der Berg", "van Dyke", "van Houten", "de la Cruz", "de la Vega", "de la Fuente", "da Silva", "dos Santos",
    "von Richter", "von Hagen", "de Jong", "van den Heuvel", "del Toro", "di Stefano", "O'Brien", "O'Connor",
    "O'Neill", "O'Sullivan", "O'Hara", "McAllister", "MacLeod", "McKenzie", "D'Angelo", "D'Souza", "St. Clair",
    "Le Blanc", "La Salle", "ben Haim", "al-Rashid", "Abu-Bakr", "Özdemir", "Gonçalves", "Sáenz de Heredia",
)
TITLES = ("Dr.", "Doctor", "Captain", "Professor", "Detective", "Sergeant", "Lady", "Lord", "Sister", "Father", "Agent", "Judge")
HERO_ADJECTIVES = (
    "Night", "Iron", "Silver", "Black", "Red", "Crimson", "Scarlet", "Golden", "Shadow", "Storm", "Frost", "Steel",
    "Ghost", "Blue", "Silent", "Wild", "Star", "Moon", "Sun", "Thunder", "Grey", "White", "Hollow", "Copper",
)
HERO_NOUNS = (
    "Owl", "Lark", "Fox", "Heron", "Wolf", "Hawk", "Raven", "Viper", "Tiger", "Falcon", "Widow", "Knight", "Lantern",
    "Arrow", "Spectre", "Sentinel", "Wraith", "Comet", "Fist", "Blade", "Mantis", "Hound", "Cobra", "Phoenix",
)
EPITHETS = (
    "The Ferryman", "The Widow", "The Archivist", "The Tailor", "The Priest", "The Collector", "The Magpie",
    "The Surgeon", "The Gardener", "The Cartographer", "The Bishop", "The Lamplighter", "The Stranger",
    "The Hound", "The Fox", "The Owl", "The Duchess", "The Judge", "The Locksmith", "The Watchmaker",
)
MONONYMS = (
    "Ghost", "Marrow", "Echo", "Sparrow", "Cipher", "Nova", "Wren", "Ash", "Rook", "Sable", "Jinx", "Vesper",
    "Halcyon", "Moth", "Onyx", "Quill", "Tinker", "Bishop", "Dagger", "Flint", "Juniper", "Kestrel", "Lumen",
)
ROLES = (
    "nurse", "harbour pilot", "detective", "schoolteacher", "surgeon", "smuggler", "mayor", "journalist",
    "soldier", "priest", "barkeep", "lawyer", "mechanic", "heir", "spy", "archivist", "blacksmith", "medic",
    "ranger", "senator", "thief", "chef", "pilot", "novelist", "fence", "courier", "engineer", "judge",
)
PLACES = (
    "Galway", "Porto", "Bergen", "Kraków", "Montréal", "Sevilla", "Nagasaki", "Lagos", "Tromsø", "Zürich",
    "Ōsaka", "Reykjavík", "Düsseldorf", "Cádiz", "Tallinn", "São Paulo", "Marseille", "Aberdeen", "Halifax",
    "the Old Quarter", "the harbour", "the north ridge", "the capital", "the lowlands", "the island",
)
SHOW_WORDS = (
    "Harbour", "Iron", "Winter", "North", "Glass", "Ember", "Salt", "Raven", "Silver", "Hollow", "Crown",
    "Ash", "Tide", "Lantern", "Stone", "Cinder", "Marsh", "Copper",
)
SHOW_TAILS = ("side", "hold", "watch", "fall", "gate", "mere", "wick", " Street", " Lane", " Row", "mouth")
