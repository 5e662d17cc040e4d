"""Reference programs for the LiveCodeBench fixture (make_fixture.py writes them to
solutions.json): per problem a gold program, near misses (each wrong on some hidden test; at
least two per problem right on the public examples, so grading on the examples alone would
pass them) and accepted alternatives. All written for this project."""

SOLUTIONS = {
    "abc901_a": {
        "gold": "s = input().strip()\nprint(sum(c in 'aeiou' for c in s))\n",
        "near_misses": [
            {"why": "forgets u as a vowel", "code": "s = input().strip()\nprint(sum(c in 'aeio' for c in s))\n"},
            {"why": "counts distinct vowels, not occurrences",
             "code": "s = input().strip()\nprint(len(set(s) & set('aeiou')))\n"},
            {"why": "drops the last character",
             "code": "s = input().strip()\nprint(sum(c in 'aeiou' for c in s[:-1]))\n"},
            {"why": "reads only the first 50 characters",
             "code": "s = input().strip()[:50]\nprint(sum(c in 'aeiou' for c in s))\n"},
            {"why": "counts y as a vowel", "code": "s = input().strip()\nprint(sum(c in 'aeiouy' for c in s))\n"},
        ],
        "accept": [
            {"why": "reads sys.stdin and filters a list",
             "code": "import sys\n\ns = sys.stdin.readline().strip()\nprint(len([c for c in s if c in 'aeiou']))\n"},
        ],
    },
    "9001": {
        "gold": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                 "        return sum(x if i % 2 == 0 else -x for i, x in enumerate(nums))\n"),
        "near_misses": [
            {"why": "takes absolute values of the elements",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        return sum(abs(x) if i % 2 == 0 else -abs(x) for i, x in enumerate(nums))\n")},
            {"why": "sums distinct values per position class",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        return sum(set(nums[0::2])) - sum(set(nums[1::2]))\n")},
            {"why": "sorts the array first",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        nums = sorted(nums)\n        return sum(nums[0::2]) - sum(nums[1::2])\n")},
            {"why": "subtracts all the rest from the first element",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        return nums[0] - sum(nums[1:])\n")},
            {"why": "clamps a negative result to zero",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        return max(0, sum(nums[0::2]) - sum(nums[1::2]))\n")},
        ],
        "accept": [
            {"why": "an explicit loop flipping the sign",
             "code": ("class Solution:\n    def alternatingSum(self, nums: List[int]) -> int:\n"
                      "        total, sign = 0, 1\n        for x in nums:\n            total += sign * x\n"
                      "            sign = -sign\n        return total\n")},
        ],
    },
    "abc905_c": {
        "gold": ("n = int(input())\na = list(map(int, input().split()))\nbest = cur = 1\nfor i in range(1, n):\n"
                 "    cur = cur + 1 if a[i] > a[i - 1] else 1\n    best = max(best, cur)\nprint(best)\n"),
        "near_misses": [
            {"why": "prints 0 when N is 1 (best starts at 0, updated only in the loop)",
             "code": ("n = int(input())\na = list(map(int, input().split()))\nbest, cur = 0, 1\n"
                      "for i in range(1, n):\n    cur = cur + 1 if a[i] > a[i - 1] else 1\n"
                      "    best = max(best, cur)\nprint(best)\n")},
            {"why": "looks for runs of consecutive values, not increasing ones",
             "code": ("n = int(input())\na = list(map(int, input().split()))\nbest = cur = 1\n"
                      "for i in range(1, n):\n    cur = cur + 1 if a[i] == a[i - 1] + 1 else 1\n"
                      "    best = max(best, cur)\nprint(best)\n")},
            {"why": "non-strict: equal neighbours continue the run",
             "code": ("n = int(input())\na = list(map(int, input().split()))\nbest = cur = 1\n"
                      "for i in range(1, n):\n    cur = cur + 1 if a[i] >= a[i - 1] else 1\n"
                      "    best = max(best, cur)\nprint(best)\n")},
            {"why": "counts increasing neighbours anywhere, not in one segment",
             "code": ("n = int(input())\na = list(map(int, input().split()))\n"
                      "print(1 + sum(a[i] > a[i - 1] for i in range(1, n)))\n")},
            {"why": "resets the run length to 0 instead of 1",
             "code": ("n = int(input())\na = list(map(int, input().split()))\nbest = cur = 1\n"
                      "for i in range(1, n):\n    cur = cur + 1 if a[i] > a[i - 1] else 0\n"
                      "    best = max(best, cur)\nprint(best)\n")},
        ],
        "accept": [
            {"why": "reads all tokens at once and tracks the run start",
             "code": ("import sys\n\ndef main():\n    data = sys.stdin.read().split()\n    n = int(data[0])\n"
                      "    a = [int(x) for x in data[1:1 + n]]\n    best, start = 1, 0\n    for i in range(1, n):\n"
                      "        if a[i] <= a[i - 1]:\n            start = i\n        best = max(best, i - start + 1)\n"
                      "    print(best)\n\n\nif __name__ == '__main__':\n    main()\n")},
        ],
    },
    "9002": {
        "gold": ("from collections import Counter\n\n\nclass Solution:\n"
                 "    def countPairs(self, nums: List[int], k: int) -> int:\n        seen = Counter()\n"
                 "        total = 0\n        for x in nums:\n            r = x % k\n"
                 "            total += seen[(k - r) % k]\n            seen[r] += 1\n        return total\n"),
        "near_misses": [
            {"why": "misses pairs of multiples of k (complement k - 0 is never a remainder)",
             "code": ("from collections import Counter\n\n\nclass Solution:\n"
                      "    def countPairs(self, nums: List[int], k: int) -> int:\n        seen = Counter()\n"
                      "        total = 0\n        for x in nums:\n            r = x % k\n"
                      "            total += seen[k - r]\n            seen[r] += 1\n        return total\n")},
            {"why": "tests the product, not the sum",
             "code": ("class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n"
                      "        n = len(nums)\n"
                      "        return sum(nums[i] * nums[j] % k == 0 for i in range(n) for j in range(i + 1, n))\n")},
            {"why": "pairs an element with itself (i <= j)",
             "code": ("from collections import Counter\n\n\nclass Solution:\n"
                      "    def countPairs(self, nums: List[int], k: int) -> int:\n        seen = Counter()\n"
                      "        total = 0\n        for x in nums:\n            r = x % k\n            seen[r] += 1\n"
                      "            total += seen[(k - r) % k]\n        return total\n")},
            {"why": "pairs equal remainders instead of complementary ones",
             "code": ("from collections import Counter\n\n\nclass Solution:\n"
                      "    def countPairs(self, nums: List[int], k: int) -> int:\n        seen = Counter()\n"
                      "        total = 0\n        for x in nums:\n            total += seen[x % k]\n"
                      "            seen[x % k] += 1\n        return total\n")},
            {"why": "the inner loop stops one short of the end",
             "code": ("class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n"
                      "        n = len(nums)\n"
                      "        return sum((nums[i] + nums[j]) % k == 0 for i in range(n) for j in range(i + 1, n - 1))\n")},
        ],
        "accept": [
            {"why": "brute force over all pairs (fast enough for these tests)",
             "code": ("class Solution:\n    def countPairs(self, nums: List[int], k: int) -> int:\n"
                      "        count = 0\n        for i in range(len(nums)):\n"
                      "            for j in range(i + 1, len(nums)):\n"
                      "                if (nums[i] + nums[j]) % k == 0:\n                    count += 1\n"
                      "        return count\n")},
        ],
    },
    "2091B": {
        "gold": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    t, pos, out = int(data[0]), 1, []\n"
                 "    for _ in range(t):\n        n = int(data[pos])\n        a = list(map(int, data[pos + 1:pos + 1 + n]))\n"
                 "        pos += 1 + n\n        best = cur = a[0]\n        for x in a[1:]:\n"
                 "            cur = max(x, cur + x)\n            best = max(best, cur)\n        out.append(str(best))\n"
                 "    print('\\n'.join(out))\n\n\nmain()\n"),
        "near_misses": [
            {"why": "leaves the first element out of the running sum",
             "code": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    t, pos, out = int(data[0]), 1, []\n"
                      "    for _ in range(t):\n        n = int(data[pos])\n        a = list(map(int, data[pos + 1:pos + 1 + n]))\n"
                      "        pos += 1 + n\n        best, cur = a[0], 0\n        for x in a[1:]:\n"
                      "            cur = max(x, cur + x)\n            best = max(best, cur)\n        out.append(str(best))\n"
                      "    print('\\n'.join(out))\n\n\nmain()\n")},
            {"why": "only tries segments of length one or two",
             "code": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    t, pos, out = int(data[0]), 1, []\n"
                      "    for _ in range(t):\n        n = int(data[pos])\n        a = list(map(int, data[pos + 1:pos + 1 + n]))\n"
                      "        pos += 1 + n\n        best = max(a)\n        for i in range(n - 1):\n"
                      "            best = max(best, a[i] + a[i + 1])\n        out.append(str(best))\n"
                      "    print('\\n'.join(out))\n\n\nmain()\n")},
            {"why": "clamps the answer to 10^9, the bound of one element",
             "code": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    t, pos, out = int(data[0]), 1, []\n"
                      "    for _ in range(t):\n        n = int(data[pos])\n        a = list(map(int, data[pos + 1:pos + 1 + n]))\n"
                      "        pos += 1 + n\n        best = cur = a[0]\n        for x in a[1:]:\n"
                      "            cur = max(x, cur + x)\n            best = max(best, cur)\n"
                      "        out.append(str(min(best, 10**9)))\n    print('\\n'.join(out))\n\n\nmain()\n")},
            {"why": "allows the empty segment (0 for all-negative arrays)",
             "code": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    t, pos, out = int(data[0]), 1, []\n"
                      "    for _ in range(t):\n        n = int(data[pos])\n        a = list(map(int, data[pos + 1:pos + 1 + n]))\n"
                      "        pos += 1 + n\n        best = cur = 0\n        for x in a:\n"
                      "            cur = max(0, cur + x)\n            best = max(best, cur)\n        out.append(str(best))\n"
                      "    print('\\n'.join(out))\n\n\nmain()\n")},
            {"why": "answers only the first test case",
             "code": ("import sys\n\n\ndef main():\n    data = sys.stdin.read().split()\n    n = int(data[1])\n"
                      "    a = list(map(int, data[2:2 + n]))\n    best = cur = a[0]\n    for x in a[1:]:\n"
                      "        cur = max(x, cur + x)\n        best = max(best, cur)\n    print(best)\n\n\nmain()\n")},
        ],
        "accept": [
            {"why": "line by line with input() and -inf starts",
             "code": ("t = int(input())\nfor _ in range(t):\n    n = int(input())\n    a = list(map(int, input().split()))\n"
                      "    best = cur = float('-inf')\n    for x in a:\n        cur = max(x, cur + x)\n"
                      "        best = max(best, cur)\n    print(int(best))\n")},
        ],
    },
    "9003": {
        "gold": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n        n = len(s)\n"
                 "        dp = [[0] * n for _ in range(n)]\n        for i in range(n - 1, -1, -1):\n            dp[i][i] = 1\n"
                 "            for j in range(i + 1, n):\n                if s[i] == s[j]:\n"
                 "                    dp[i][j] = dp[i + 1][j - 1] + 2\n                else:\n"
                 "                    dp[i][j] = max(dp[i + 1][j], dp[i][j - 1])\n        return dp[0][n - 1]\n"),
        "near_misses": [
            {"why": "greedy two pointers instead of dynamic programming",
             "code": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n"
                      "        i, j, total = 0, len(s) - 1, 0\n        while i < j:\n            if s[i] == s[j]:\n"
                      "                total += 2\n                i += 1\n                j -= 1\n"
                      "            elif s[i + 1] == s[j]:\n                i += 1\n            else:\n                j -= 1\n"
                      "        return total + (1 if i == j else 0)\n")},
            {"why": "plain recursion without memoisation (exponential: times out on long input)",
             "code": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n"
                      "        def best(i, j):\n            if i > j:\n                return 0\n            if i == j:\n"
                      "                return 1\n            if s[i] == s[j]:\n                return best(i + 1, j - 1) + 2\n"
                      "            return max(best(i + 1, j), best(i, j - 1))\n        return best(0, len(s) - 1)\n")},
            {"why": "longest palindromic substring, not subsequence",
             "code": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n        best = 0\n"
                      "        for i in range(len(s)):\n            for j in range(i, len(s)):\n"
                      "                if s[i:j + 1] == s[i:j + 1][::-1]:\n                    best = max(best, j - i + 1)\n"
                      "        return best\n")},
            {"why": "counts letter pairs, as if the letters could be reordered",
             "code": ("from collections import Counter\n\n\nclass Solution:\n"
                      "    def longestPalindromeSubseq(self, s: str) -> int:\n        counts = Counter(s).values()\n"
                      "        pairs = sum(c // 2 * 2 for c in counts)\n"
                      "        return pairs + (1 if any(c % 2 for c in counts) else 0)\n")},
            {"why": "two equal neighbours count as 1, not 2",
             "code": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n        n = len(s)\n"
                      "        dp = [[0] * n for _ in range(n)]\n        for i in range(n - 1, -1, -1):\n            dp[i][i] = 1\n"
                      "            for j in range(i + 1, n):\n                if s[i] == s[j]:\n"
                      "                    dp[i][j] = dp[i + 1][j - 1] + 2 if j - i > 1 else 1\n                else:\n"
                      "                    dp[i][j] = max(dp[i + 1][j], dp[i][j - 1])\n        return dp[0][n - 1]\n")},
        ],
        "accept": [
            {"why": "longest common subsequence of s and its reverse",
             "code": ("class Solution:\n    def longestPalindromeSubseq(self, s: str) -> int:\n        r = s[::-1]\n"
                      "        prev = [0] * (len(s) + 1)\n        for a in s:\n            cur = [0]\n"
                      "            for j, b in enumerate(r):\n"
                      "                cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))\n"
                      "            prev = cur\n        return prev[-1]\n")},
        ],
    },
    "abc880_b": {
        "gold": "n = int(input())\nprint(sum(sum(map(int, str(i))) for i in range(1, n + 1)))\n",
        "near_misses": [
            {"why": "digit sum right only below 100",
             "code": "n = int(input())\nprint(sum(i % 10 + i // 10 for i in range(1, n + 1)))\n"},
            {"why": "caps N at 99999, as if the bound were exclusive",
             "code": "n = min(int(input()), 99999)\nprint(sum(sum(map(int, str(i))) for i in range(1, n + 1)))\n"},
            {"why": "sums the numbers, not their digits", "code": "n = int(input())\nprint(n * (n + 1) // 2)\n"},
            {"why": "only the last digit of each number",
             "code": "n = int(input())\nprint(sum(i % 10 for i in range(1, n + 1)))\n"},
            {"why": "stops before N", "code": "n = int(input())\nprint(sum(sum(map(int, str(i))) for i in range(1, n)))\n"},
        ],
        "accept": [
            {"why": "digits by repeated division",
             "code": ("n = int(input())\ntotal = 0\nfor i in range(1, n + 1):\n    while i:\n        total += i % 10\n"
                      "        i //= 10\nprint(total)\n")},
        ],
    },
    "9004": {
        "gold": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                 "        return sum(c.isupper() for c in s)\n"),
        "near_misses": [
            {"why": "counts everything that is not lowercase (spaces too)",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return sum(not c.islower() for c in s)\n")},
            {"why": "excludes A and Z (strict comparisons)",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return sum('A' < c < 'Z' for c in s)\n")},
            {"why": "counts lowercase letters",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return sum(c.islower() for c in s)\n")},
            {"why": "skips the first character",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return sum(c.isupper() for c in s[1:])\n")},
            {"why": "counts distinct uppercase letters",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return len({c for c in s if c.isupper()})\n")},
        ],
        "accept": [
            {"why": "compares with the ASCII range",
             "code": ("class Solution:\n    def countUpper(self, s: str) -> int:\n"
                      "        return len([c for c in s if 'A' <= c <= 'Z'])\n")},
        ],
    },
}
