"""The customer record beyond its core fields: contacts, phones, emails, addresses, tags, consent, custom-field
definitions, and the 360 page that shows them with one timeline."""
