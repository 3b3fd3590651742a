class FilterModule(object):
    def filters(self):
        return {'shout': lambda s, times=1: (s.upper() + '!') * times}
