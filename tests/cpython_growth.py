"""Print CPython's list capacities at each resize, as `memstrat growth` does.

Run with the python3 under test: `python3 tests/cpython_growth.py 1000000`.
The capacity is read from sys.getsizeof: (getsizeof(l) - getsizeof([])) / 8.
tests/data/cpython-3.11-list-growth.txt was made with CPython 3.11.7.
"""
import sys

def main(limit):
    empty = sys.getsizeof([])
    l, cap = [], 0
    print("# policy cpython: length capacity at each resize")
    for i in range(1, limit + 1):
        l.append(i)
        c = (sys.getsizeof(l) - empty) // 8
        if c != cap:
            print(i, c)
            cap = c

if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 1000)
