# By id:
terraform import gatewayd_ca_certificate.internal 7b3e4f1a-2c9d-4e8f-b6a5-1d2c3e4f5a6b
