def value():
    return "beside the playbook"
