class FilterModule(object):
    def filters(self):
        return {'bracket': lambda s: '[%s]' % s}
