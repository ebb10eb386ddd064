# Squaring a large number a few times: each result is twice as long as the one before.
crop = 10**100
area = crop * crop
work = area * area
