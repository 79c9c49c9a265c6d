terraform {
  required_providers {
    mapr = {
      source = "gatewayd-toolkit/mapr"
    }
  }
}

# How Terraform reaches the MapR nodes: SSH, with every node's host key
# checked against known_hosts; a key (or the ssh-agent, or a password);
# sudo for configure.sh and maprcli. Resources may name another node with
# their own host.
provider "mapr" {
  host             = "node1.example.com"
  user             = "admin"
  private_key_file = "~/.ssh/id_ed25519"
  known_hosts_file = "~/.ssh/known_hosts"
  sudo             = true
  timeout          = "15m"
}
