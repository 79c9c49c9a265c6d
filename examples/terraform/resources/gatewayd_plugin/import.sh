# By id or by instance_name. config_json then holds the keys that differ
# from the plugin's defaults.
terraform import gatewayd_plugin.key_auth example-key-auth
