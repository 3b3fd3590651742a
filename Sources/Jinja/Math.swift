// The C math library, reached without Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
func cLog(_ x: Double) -> Double { log(x) }
