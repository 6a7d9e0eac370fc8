"""The product names a vendor's exports use, mapped to the catalogue's services (issue 15)."""
