"""hostacl's pure-Python helpers around the `acl` extension module."""
