# By id or by username:
terraform import gatewayd_consumer.alice alice
