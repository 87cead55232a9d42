# The site writes dates the way its texts do, "12 March 2027", rather than Django's "March 12,
# 2027". DAY_FORMAT and DAY_MONTH_FORMAT are the site's own: the first day of a range, "12–19
# March 2027", "12 March–3 April 2027".
DATE_FORMAT = "j F Y"
DAY_FORMAT = "j"
DAY_MONTH_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
