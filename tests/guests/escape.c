// Guest: escape and abuse attempts against the preopen fd 3 (argv[1] names
// it, e.g. "/sandbox"). Calls the imports directly so that wasi-libc's own
// checks do not hide what the runtime answers. Prints "<attempt> errno=N".
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static __wasi_errno_t open_at(__wasi_fd_t dir, const char* path, __wasi_lookupflags_t lf, __wasi_oflags_t of,
                              __wasi_fd_t* out) {
  return __wasi_path_open(dir, lf, path, of, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, out);
}

// Raw imports with pointer parameters as plain integers, so that the guest
// can pass addresses outside its memory.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_write")))
int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nwritten);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("fd_read")))
int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t iovs_len, int32_t nread);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags, int64_t rb,
                      int64_t ri, int32_t fdflags, int32_t out);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("random_get")))
int32_t raw_random_get(int32_t buf, int32_t len);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("args_get")))
int32_t raw_args_get(int32_t argv, int32_t buf);

int main(void) {
  const __wasi_fd_t root = 3;
  __wasi_fd_t fd;
  printf("dotdot errno=%d\n", open_at(root, "../etc/passwd", 0, 0, &fd));
  printf("absolute errno=%d\n", open_at(root, "/etc/passwd", 0, 0, &fd));
  printf("inner dotdot ok errno=%d\n", __wasi_path_create_directory(root, "inner") ? -1 : open_at(root, "inner/../inner", 0, 0, &fd));
  printf("dotdot chain errno=%d\n", open_at(root, "inner/../inner/../../../etc/passwd", 0, 0, &fd));
  (void)__wasi_fd_close(fd);

  (void)__wasi_path_symlink("loop", root, "loop");
  printf("symlink loop errno=%d\n", open_at(root, "loop", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd));
  (void)__wasi_path_symlink("a", root, "b");
  (void)__wasi_path_symlink("b", root, "a");
  printf("symlink cycle errno=%d\n", open_at(root, "a", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd));
  (void)__wasi_path_symlink("/etc/passwd", root, "abs");
  printf("symlink absolute errno=%d\n", open_at(root, "abs", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd));
  (void)__wasi_path_symlink("../../../../etc/passwd", root, "up");
  printf("symlink outside errno=%d\n", open_at(root, "up", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, &fd));
  printf("symlink outside create errno=%d\n",
         open_at(root, "up", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, __WASI_OFLAGS_CREAT, &fd));
  printf("nofollow on symlink errno=%d\n", open_at(root, "abs", 0, 0, &fd));

  // Guest pointers past the end of memory.
  const int32_t far = (int32_t)0xFFFFFFF0u;
  printf("iovs past end errno=%d\n", raw_fd_write(1, far, 1, 1024));
  char data[4] = "abc";
  uint32_t iov[2] = {(uint32_t)(uintptr_t)data, 0x7FFFFFFF};
  printf("iov buffer past end errno=%d\n", raw_fd_write(1, (int32_t)(uintptr_t)iov, 1, 1024));
  printf("nwritten past end errno=%d\n", raw_fd_write(1, (int32_t)(uintptr_t)iov, 0, far));
  printf("read into past end errno=%d\n", raw_fd_read(0, far, 1, 1024));
  printf("path past end errno=%d\n", raw_path_open(root, 0, far, 100, 0, 0, 0, 0, 1024));
  printf("random past end errno=%d\n", raw_random_get(far, 64));
  printf("args past end errno=%d\n", raw_args_get(far, far));
  // A huge iovec count.
  printf("huge iovec count errno=%d\n", raw_fd_write(1, (int32_t)(uintptr_t)iov, 0x40000000, 1024));

  // Closed and never-opened descriptors.
  __wasi_size_t n;
  __wasi_ciovec_t civ = {(const uint8_t*)"x", 1};
  printf("write to fd 99 errno=%d\n", __wasi_fd_write(99, &civ, 1, &n));
  open_at(root, "closed.txt", 0, __WASI_OFLAGS_CREAT, &fd);
  (void)__wasi_fd_close(fd);
  printf("write to closed fd errno=%d\n", __wasi_fd_write(fd, &civ, 1, &n));
  printf("write to directory errno=%d\n", __wasi_fd_write(root, &civ, 1, &n));

  // Descriptor exhaustion.
  int opened = 0;
  __wasi_errno_t last = 0;
  for (int i = 0; i < 100000; ++i) {
    last = open_at(root, "closed.txt", 0, 0, &fd);
    if (last != 0) break;
    ++opened;
  }
  printf("fd exhaustion errno=%d after_some=%s\n", last, opened > 10 ? "yes" : "no");
  for (int f = 4; f < 4 + opened + 1; ++f) (void)__wasi_fd_close((__wasi_fd_t)f);

  // Quota exhaustion: keep writing 1 MiB chunks.
  static char chunk[1 << 20];
  open_at(root, "big.bin", 0, __WASI_OFLAGS_CREAT, &fd);
  __wasi_ciovec_t big = {(const uint8_t*)chunk, sizeof chunk};
  __wasi_errno_t qerr = 0;
  for (int i = 0; i < 4096 && qerr == 0; ++i) qerr = __wasi_fd_write(fd, &big, 1, &n);
  printf("quota errno=%d\n", qerr);
  (void)__wasi_fd_close(fd);
  (void)__wasi_path_unlink_file(root, "big.bin");

  // No network.
  printf("sock_accept errno=%d\n", __wasi_sock_accept(3, 0, &fd));
  printf("sock_shutdown errno=%d\n", __wasi_sock_shutdown(3, __WASI_SDFLAGS_WR));
  printf("done\n");
  return 0;
}
