"""Word pools for fictional English places, streets, buildings and businesses.

Everything the generator names comes from here, so a reader can see the vocabulary in one place.
Pools are tuples (ordered) so that a seeded draw is reproducible.
"""

from __future__ import annotations

from typing import Final

TOWN_STEMS: Final = (
    "Ash", "Alder", "Bar", "Bel", "Brad", "Bram", "Brook", "Cal", "Chad", "Clay", "Cran",
    "Dun", "Elm", "Ever", "Fen", "Fox", "Gold", "Hamble", "Hart", "Hazel", "Holm", "Ken",
    "Kings", "Lang", "Lynd", "Mar", "Mil", "Mor", "Nor", "Oak", "Pen", "Pinch", "Quen",
    "Red", "Ribble", "Rom", "Salt", "Sand", "Shep", "Stan", "Stow", "Tad", "Thorn", "Ulver",
    "Ver", "Wal", "Wes", "Whin", "Whit", "Wick", "Wood", "Yar", "Ick", "Kel", "Lox", "Much",
    "Nap", "Ock", "Pud", "Rad", "Sib", "Tib", "Up", "Wen", "Bick", "Cold", "Dray", "Eas",
)  # fmt: skip

TOWN_ENDINGS: Final = (
    "ford", "ley", "ton", "bury", "ham", "wick", "field", "worth", "by", "combe", "stead",
    "borough", "well", "minster", "thorpe", "cote", "hurst", "den", "mere", "wood", "bridge",
    "caster", "stone", "holme", "ing", "stow",
)  # fmt: skip

VILLAGE_PREFIXES: Final = (
    "Little ", "Great ", "Upper ", "Lower ", "Nether ", "Long ", "East ", "West ", "North ",
    "South ", "Kings ", "Church ", "Market ", "",
)  # fmt: skip

SUBURB_NAMES: Final = (
    "Northfield", "Eastgate", "Westbury Park", "Hill Top", "Moorside", "Newtown", "Parkside",
    "Brookside", "Castle Vale", "Greenhill", "Southend", "Woodlands", "Fairfield", "Highfields",
    "Abbey Park", "Priory Vale", "Kingsmead", "St Johns", "Millbank", "Oakwood", "Rosehill",
    "Heathfield", "Lakeside", "Meadowbank", "Stoneleigh", "Upperton", "Westcroft", "Holmwood",
    "Ashgrove", "Bridgend", "Canal Side", "Dunmore", "Elmhurst", "Fernhill", "Gorsey Bank",
    "Harrowby", "Ivy Green", "Jubilee Park", "Kingsthorpe", "Langley Green",
)  # fmt: skip

COUNTY_STEMS: Final = ("Wex", "Ambers", "Harn", "Lud", "Morn", "Selk", "Tam", "Wold", "Caver")

# Street names every settlement is likely to have, with the chance it has one.
COMMON_STREETS: Final = (
    ("Church Street", 0.8),
    ("Church Lane", 0.5),
    ("Station Road", 0.6),
    ("Mill Lane", 0.5),
    ("Main Street", 0.3),
    ("The Green", 0.3),
    ("School Lane", 0.4),
    ("Chapel Lane", 0.3),
    ("St Mary's Road", 0.35),
    ("St John's Close", 0.25),
    ("Queen's Road", 0.3),
    ("King's Avenue", 0.2),
)

# Street names without a street-type word, as real gazetteers hold them ("64, THE HAWTHORNS,
# PANT"), Welsh ones among them: a list that drops its commas leaves no word to say where such a
# street ends.
TYPELESS_STREETS: Final = (
    "The Hawthorns", "The Paddocks", "The Spinney", "The Beeches", "The Meadows", "The Oaks",
    "The Maltings", "The Orchards", "Hillcrest", "Sunnybank", "Brookfield", "Y Graig",
    "Bryn Teg", "Maes Y Coed", "Pen Y Bryn", "Heol Y Nant", "Tai'r Twynau", "Brondeg",
    "Glanmorlais", "Caer Wern", "Twyn Carmel", "Pantglas", "Erw Las", "Cwrt Y Castell",
)  # fmt: skip

STREET_BASES: Final = (
    "Park", "Victoria", "Manor", "Green", "London", "New", "North", "South", "West", "East",
    "Albert", "York", "Grange", "Orchard", "Meadow", "Springfield", "Windsor", "Elm", "Oak",
    "Beech", "Ash", "Willow", "Cedar", "Hawthorn", "Rowan", "Chestnut", "Poplar", "Sycamore",
    "Holly", "Lime", "Birch", "Cherry", "Hazel", "Laburnum", "Larch", "Maple", "Alder",
    "St Mary's", "St John's", "St Peter's", "St Andrew's", "St Michael's", "St George's",
    "St Paul's", "St Margaret's", "St Helen's", "Bishop's", "Miller's", "Cooper's", "Fisher's",
    "Farmer's", "Nelson", "Wellington", "Trafalgar", "Clarence", "Stanley", "Gladstone",
    "Cromwell", "Marlborough", "Devonshire", "Cavendish", "Grosvenor", "Beaufort", "Richmond",
    "Salisbury", "Lancaster", "Warwick", "Stafford", "Gloucester", "Worcester", "Chester",
    "Kingsley", "Tennyson", "Wordsworth", "Shelley", "Byron", "Milton", "Chaucer", "Keats",
    "Darwin", "Newton", "Faraday", "Brunel", "Telford", "Stephenson", "Nightingale", "Kingfisher",
    "Heron", "Swallow", "Lark", "Wren", "Robin", "Falcon", "Kestrel", "Badger", "Fox", "Otter",
    "Mill", "Bridge", "Brook", "River", "Canal", "Wharf", "Quarry", "Forge", "Foundry", "Tannery",
    "Malthouse", "Brewery", "Pound", "Market", "Castle", "Abbey", "Priory", "Chapel", "Rectory",
    "Vicarage", "Glebe", "Common", "Heath", "Moor", "Hill", "Valley", "Ridge", "Barn", "Farm",
    "Paddock", "Field", "Acre", "Lea", "Wood", "Copse", "Spinney", "Coppice", "Dell", "Dene",
    "Highfield", "Westfield", "Eastfield", "Northfield", "Southfield", "Broadfield", "Longfield",
    "Fairfield", "Greenfield", "Mayfield", "Redland", "Whiteley", "Blackthorn", "Greenway",
    "Broad", "Long", "Short", "Back", "Cross", "Middle", "Upper", "Lower", "Old", "Prospect",
    "Pleasant", "Providence", "Union", "Albion", "Regent", "Princes", "Dukes", "Earls",
    "Jubilee", "Coronation", "Victory", "Empire", "Alexandra", "Edward", "George", "Charles",
    "William", "Henry", "Arthur", "Frederick", "Mary", "Elizabeth", "Anne", "Catherine",
    "Margaret", "Wesley", "Baptist", "Friars", "Monks", "Nuns", "Canons", "Deans", "Beacon",
    "Windmill", "Watermill", "Kiln", "Pottery", "Ropewalk", "Tanyard", "Cattle Market",
    "Sheep", "Horse", "Swan", "Bell", "Crown", "Anchor", "Plough", "Harrow", "Wheatsheaf",
    "Rose", "Lily", "Primrose", "Bluebell", "Daisy", "Lavender", "Heather", "Ivy", "Fern",
    "Bracken", "Thistle", "Clover", "Foxglove", "Juniper", "Hornbeam", "Walnut", "Mulberry",
    "Medlar", "Quince", "Damson", "Pear Tree", "Apple Tree", "Plum Tree", "Yew Tree", "Oak Tree",
    "Ashdown", "Beechwood", "Oakwood", "Elmwood", "Pinewood", "Birchwood", "Hazelwood",
    "Ashfield", "Oakfield", "Elmfield", "Beechfield", "Hollybush", "Bramble", "Blackberry",
)  # fmt: skip

# Street type, how often it occurs (weight), and the abbreviations people write for it.
STREET_TYPES: Final = (
    ("Road", 25, ("Rd",)),
    ("Street", 12, ("St",)),
    ("Lane", 10, ("Ln",)),
    ("Avenue", 8, ("Ave", "Av")),
    ("Close", 12, ("Cl",)),
    ("Drive", 7, ("Dr",)),
    ("Way", 5, ()),
    ("Gardens", 4, ("Gdns",)),
    ("Crescent", 4, ("Cres",)),
    ("Place", 3, ("Pl",)),
    ("Grove", 3, ("Gr",)),
    ("Terrace", 2, ("Terr", "Ter")),
    ("Court", 2, ("Ct",)),
    ("Walk", 2, ()),
    ("Rise", 1, ()),
    ("Mews", 1, ()),
    ("Square", 1, ("Sq",)),
    ("Row", 1, ()),
    ("Hill", 1, ()),
    ("Green", 1, ("Grn",)),
    ("Park", 1, ("Pk",)),
)

# The abbreviation a county gazetteer writes for each street type (capitals are applied later).
COUNTY_ABBREVIATIONS: Final = {name: abbrevs[0] for name, _, abbrevs in STREET_TYPES if abbrevs}

HOUSE_NAMES: Final = (
    "Rose Cottage", "The Old Rectory", "Ivy House", "Orchard House", "Meadow View", "Holly Lodge",
    "The Willows", "Fairview", "Hillcrest", "Woodlands", "The Laurels", "Brookside", "Sunnyside",
    "The Old Forge", "The Old School House", "Keeper's Cottage", "Church View", "The Barn",
    "Greenacres", "The Coach House", "Journey's End", "Glebe House", "The Gables", "Tanglewood",
    "The Paddock", "Hazeldene", "The Haven", "Windrush", "The Old Vicarage", "The Old Post Office",
    "The Old Bakery", "Yew Tree Farm", "Mill House", "Lark Rise", "St Anne's", "Little Orchard",
    "Cobblestones", "Four Winds", "High Trees", "Long Acre", "Old Barn", "Shepherd's Rest",
    "Silver Birches", "The Croft", "The Granary", "The Maltings", "The Stables", "Two Oaks",
)  # fmt: skip

HOUSE_NAME_FIRSTS: Final = (
    "Rose", "Ivy", "Holly", "Oak", "Beech", "Elm", "Willow", "Yew Tree", "Pear Tree", "Apple Tree",
    "Bramble", "Primrose", "Honeysuckle", "Lavender", "Lilac", "Wisteria", "Hawthorn", "Rowan",
    "Kingfisher", "Badger's", "Fox", "Meadow", "Brook", "Mill", "Orchard", "Stable", "Forge",
    "Chestnut", "Laurel", "Heather", "Bluebell", "Clematis", "Jasmine", "Magnolia", "Walnut",
)  # fmt: skip
HOUSE_NAME_KINDS: Final = (
    "Cottage", "House", "Lodge", "Barn", "Farm", "View", "Dene", "Croft", "Mead", "Bank",
)  # fmt: skip

BLOCK_FIRSTS: Final = (
    "Rose", "Kingfisher", "Heron", "Swan", "Nightingale", "Victoria", "Albert", "Jubilee",
    "Coronation", "Riverside", "Parkview", "Lime", "Cedar", "Wellington", "Nelson", "Mayfield",
    "Regent", "Belvedere", "Clarendon", "Beaumont", "Ashdown", "Highgate", "Lancaster", "Sovereign",
    "Castle", "Abbey", "Priory", "Canalside", "Millennium", "Chandlers", "Weavers", "Brewers",
)  # fmt: skip
BLOCK_KINDS: Final = (
    "Court", "House", "Lodge", "Point", "Heights", "Mansions", "Apartments", "Place", "Gate",
)  # fmt: skip

ESTATE_FIRSTS: Final = (
    "Riverside", "Northgate", "Canal", "Station", "Millbrook", "Phoenix", "Oakwood", "Meadow",
    "Eastside", "Westway", "Brunel", "Gateway", "Hillside", "Kingsway", "Enterprise", "Orchard",
)  # fmt: skip
ESTATE_KINDS: Final = (
    "Industrial Estate", "Business Park", "Trading Estate", "Enterprise Centre", "Works",
)  # fmt: skip

SURNAMES: Final = (
    "Hartley", "Fletcher", "Brooks", "Mason", "Turner", "Walker", "Cooper", "Harris", "Bennett",
    "Holloway", "Pritchard", "O'Neill", "Whitmore", "Ashworth", "Dobson", "Fairclough", "Garside",
    "Hargreaves", "Jennings", "Kershaw", "Lomax", "Marsden", "Nuttall", "Pickering", "Rowntree",
    "Sutcliffe", "Thwaite", "Varley", "Wainwright", "Yates", "D'Arcy", "Clegg", "Firth", "Oakes",
)  # fmt: skip
TRADES: Final = (
    "Engineering", "Joinery", "Motors", "Plastics", "Print", "Logistics", "Fabrications",
    "Electrical", "Plumbing Supplies", "Tyres", "Packaging", "Precision", "Signs", "Catering",
    "Builders Merchants", "Coachworks", "Textiles", "Timber",
)  # fmt: skip
COMPANY_FORMS: Final = ("Ltd", "Limited", "& Sons", "& Co", "Ltd", "plc")
SHOPS: Final = (
    "Bakery", "Butchers", "Pharmacy", "Newsagents", "Florist", "Hardware", "Opticians",
    "Launderette", "Barbers", "Estate Agents", "Wine Merchants", "Bookshop",
    "Dry Cleaners", "Jewellers", "Toy Shop", "Delicatessen",
)  # fmt: skip

# A flat's floor as typists add it to its number ("Flat 2 First Floor"), by level.
FLOOR_NAMES: Final = ("Ground", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh")

FLOOR_FLATS: Final = (
    "Ground Floor Flat",
    "First Floor Flat",
    "Second Floor Flat",
    "Third Floor Flat",
)
