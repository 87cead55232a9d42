# Dated missions and impact figures live here (see the missions issue); the app is
# registered now so that its migrations start from the beginning.
