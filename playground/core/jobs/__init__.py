"""Async jobs you never lose: each async request kept durably with its status and result
(`store`), watched within Baseten's status limit (`watcher`), its webhook received and verified
(`inbox`, `verify`), sent again or canceled (`jobs`)."""
