# <host>:<license_id>, the id `maprcli license list -json` shows:
terraform import mapr_license.m5 'node1.example.com:88aEvYonv5HqJgaFrGfsKis5puQ='
