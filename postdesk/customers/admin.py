# Customers are not in the Django admin on purpose: the admin is for reference data, and
# customers' personal data is shown only through pages that mask it and log full views.
