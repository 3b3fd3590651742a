class TestModule(object):
    def tests(self):
        return {'even': lambda x: x % 2 == 0}
