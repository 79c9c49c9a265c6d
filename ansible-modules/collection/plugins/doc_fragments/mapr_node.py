# -*- coding: utf-8 -*-
# Documentation shared by the gatewayd.toolkit MapR modules (mapr_license,
# mapr_cluster). The modules themselves are Go binaries; this file only feeds
# ansible-doc.

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  host:
    description:
      - "The MapR node to connect to over SSH, from wherever the module runs (typically the controller,
        with C(delegate_to: localhost))."
      - Without C(host) the module acts on the machine it runs on, which is the node Ansible's own
        connection brought it to. This is the default and needs none of the SSH options below.
      - With C(host) the module opens its own SSH connection (golang.org/x/crypto/ssh), verifies the
        node's host key against C(known_hosts_file), runs maprcli and configure.sh there with every
        argument quoted (never interpreted by the remote shell), and uploads files with SFTP. The
        remote login shell must be POSIX (sh, bash, dash, ksh, zsh).
    type: str
  port:
    description:
      - SSH port of C(host). Defaults to 22. Only with C(host).
    type: int
  user:
    description:
      - SSH user on C(host). Defaults to the user running the module. Only with C(host).
    type: str
  private_key_file:
    description:
      - Private key file (OpenSSH or PEM format) on the machine running the module, for public-key
        authentication. Only with C(host).
      - Without a key and a password the ssh-agent at C(SSH_AUTH_SOCK) is used.
    type: path
  private_key_passphrase:
    description:
      - Passphrase of an encrypted C(private_key_file). Never printed.
    type: str
  password:
    description:
      - Password authentication (also answered to keyboard-interactive prompts). Never printed. Prefer
        keys.
    type: str
  use_agent:
    description:
      - Also offer the keys of the ssh-agent at C(SSH_AUTH_SOCK). The agent is used anyway when neither
        C(private_key_file) nor C(password) is set.
    type: bool
    default: false
  known_hosts_file:
    description:
      - OpenSSH known_hosts file that must list the host key of C(host). Defaults to
        C(~/.ssh/known_hosts) of the user running the module.
      - An unknown host or a changed key fails the task with a message naming the host and the SHA256
        fingerprint the server presented. Verify that fingerprint out of band before adding it (for
        example C(ssh-keyscan -p PORT HOST)).
    type: path
  insecure_ignore_host_key:
    description:
      - Accept B(any) host key. DANGEROUS, for throwaway lab hosts only - whoever can intercept the
        connection receives the credentials and the license and can answer as the node. Every run with
        it returns a warning naming the key it accepted. Mutually exclusive with C(known_hosts_file).
    type: bool
    default: false
  connect_timeout:
    description:
      - Seconds the TCP connection and the SSH handshake may take. Only with C(host).
    type: int
    default: 30
  sudo:
    description:
      - Run maprcli and configure.sh, and read the node's MapR files, through C(sudo -n) (which fails
        instead of prompting for a password). C(/opt/mapr/conf/clusterid) is readable by its owner only
        and configure.sh must run as root.
      - "When the module runs on the node, Ansible's C(become: true) is the usual alternative."
    type: bool
    default: false
  sudo_user:
    description:
      - User to become with C(sudo -u); unset means root. Needs C(sudo=true).
    type: str
  timeout:
    description:
      - Seconds each command run on the node (maprcli, configure.sh) may take before it is stopped.
        configure.sh on a loaded node takes minutes; a hung maprcli (CLDB unreachable) should not hold
        the play forever.
    type: int
    default: 600
  env:
    description:
      - Environment variables for maprcli and configure.sh, for example C(MAPR_TICKETFILE_LOCATION) on a
        secure cluster. They are set with env(1) after sudo, because sshd and sudo drop the caller's
        environment.
    type: dict
notes:
  - "Two ways to run: on the node (no C(host); Ansible's connection copies the binary there and runs it,
    as root with C(become: true)) or on the controller (C(delegate_to: localhost) plus C(host) and
    the SSH options; the module connects to the node itself and verifies its host key)."
  - The binaries are static Linux executables (amd64 by default, arm64 with C(make collection-arm64));
    use the collection built for the architecture of the machine that runs the module.
  - Tested against C(maprsim), a simulator of the documented maprcli/configure.sh behaviour (a test
    double, not MapR), over a real OpenSSH server.
'''
