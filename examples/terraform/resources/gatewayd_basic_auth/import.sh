# By id or by username, optionally prefixed by the consumer. The password
# can not be read back: the first apply after the import sets it.
terraform import gatewayd_basic_auth.alice alice
