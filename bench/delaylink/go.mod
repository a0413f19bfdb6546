module kcp-web/bench/delaylink

go 1.24
