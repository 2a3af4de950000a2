"""The company's public settings: company, appearance, app keys, security, languages,
countries, currencies and leverages."""
