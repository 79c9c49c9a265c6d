data "gatewayd_consumer" "crm_customer" {
  custom_id = "crm-4711"
}

resource "gatewayd_key_auth" "crm_customer" {
  consumer_id = data.gatewayd_consumer.crm_customer.id
}
