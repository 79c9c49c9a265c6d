# By id or by username, optionally prefixed by the consumer:
terraform import gatewayd_hmac_auth.alice alice-hmac
