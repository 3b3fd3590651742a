print('agent')
