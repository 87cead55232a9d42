# "12 mars 2027", "12–19 mars 2027", "12 mars–3 avril 2027" (see ../en/formats.py).
DATE_FORMAT = "j F Y"
DAY_FORMAT = "j"
DAY_MONTH_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
