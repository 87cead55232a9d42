# "12 de marzo de 2027", "12–19 de marzo de 2027", "12 de marzo–3 de abril de 2027"
# (see ../en/formats.py).
DATE_FORMAT = r"j \d\e F \d\e Y"
DAY_FORMAT = "j"
DAY_MONTH_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
