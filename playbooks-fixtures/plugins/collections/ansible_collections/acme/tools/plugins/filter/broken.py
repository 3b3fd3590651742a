# A filter file that does not load: Ansible warns and skips it, the collection's others still work.
class FilterModule:
    pass
