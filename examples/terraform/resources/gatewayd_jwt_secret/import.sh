# By id or by key, optionally prefixed by the consumer:
terraform import gatewayd_jwt_secret.alice alice/alice-issuer
