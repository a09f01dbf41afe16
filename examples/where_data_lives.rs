//! The program from "Where Your Data Lives", made to compile: every binding's home in memory.

// Global/static data: an immutable static is read-only data; a zero-filled `static mut` is BSS.
static GREETING: &str = "Hello";
static mut BUFFER: [u8; 10_000] = [0; 10_000]; // 10 KB zero-initialized

fn main() {
    // Stack: local variables
    let x = 42;
    let y = 100;

    // Stack: String struct (24 bytes: ptr + len + cap)
    // Heap: actual string data "world"
    let s = String::from("world");

    // Stack: vector struct (24 bytes: ptr + len + cap)
    // Heap: array data [1, 2, 3, 4, 5]
    let v = vec![1, 2, 3, 4, 5];

    // Stack: native array - all data lives on stack (20 bytes)
    let arr = [10, 20, 30, 40, 50];

    // Stack: function call frame
    // Passing by value (x) and by reference (&s)
    let doubled = process_data(x, &s);
    println!("{} -> {}", x, doubled);
    println!("{GREETING} {y} {v:?} {arr:?}");
    // SAFETY: single-threaded program; nothing else touches BUFFER.
    unsafe {
        BUFFER[0] = 1;
    }
}

fn process_data(param_num: i32, param_text: &String) -> i32 {
    // Stack: new function frame
    // Arguments passed:
    // - param_num: COPY of x's value (42) - passed by value
    // - param_text: pointer to s (on stack) - passed by reference
    let result = param_num * 2;
    println!("{}: {}", param_text, result);
    // Return: result is COPIED to caller's stack frame
    result // Returns 84
}
