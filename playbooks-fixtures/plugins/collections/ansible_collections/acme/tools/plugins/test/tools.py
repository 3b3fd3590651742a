class TestModule(object):
    def tests(self):
        return {'positive': lambda x: x > 0}
