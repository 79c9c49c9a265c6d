# By id or by key, optionally prefixed by the consumer (id or username):
terraform import gatewayd_key_auth.alice alice/0f3c5d2e-5a1b-4c7e-9a55-3f2e1d0c9b8a
