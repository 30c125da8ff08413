"""The local stand-in for customer AWS accounts: moto, OpenBao, etcd and
kube-apiserver on loopback (README.md)."""
