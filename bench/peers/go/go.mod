module corobench/peers/go

go 1.19
