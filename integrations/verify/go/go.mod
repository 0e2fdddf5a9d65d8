module example.com/licensehub-verify

go 1.19
