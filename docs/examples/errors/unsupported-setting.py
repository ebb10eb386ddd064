find_unused_parameters = True
