"""Seats: the people at the client who hold licences (licence users), which service each
holds from when to when, and how much the seats are used."""
