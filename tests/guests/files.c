// Guest: the fd_* and path_* families on the preopened directory given as
// argv[1] (e.g. /sandbox). Every step prints "ok <step>" or what went
// wrong, so the output is the same under every correct runtime.
// Deterministic: no inode numbers, times or directory order are printed.
// Usage: files ROOT [strict]
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures = 0;
static void check(int cond, const char* step) {
  if (cond) {
    printf("ok %s\n", step);
  } else {
    printf("FAIL %s (errno %d: %s)\n", step, errno, strerror(errno));
    ++failures;
  }
}

static int cmp(const void* a, const void* b) { return strcmp(*(char* const*)a, *(char* const*)b); }

int main(int argc, char** argv) {
  const char* root = argc > 1 ? argv[1] : "/sandbox";
  // "strict" adds checks that only a complete preview1 runtime passes.
  const int strict = argc > 2 && strcmp(argv[2], "strict") == 0;
  if (chdir(root) != 0) {
    printf("cannot chdir to %s\n", root);
    return 2;
  }
  // Input copied in by the host (--dir).
  FILE* in = fopen("input.txt", "r");
  char line[128] = {0};
  check(in && fgets(line, sizeof line, in) != NULL, "read input.txt");
  if (in) fclose(in);
  printf("input: %s", line);

  // path_open with O_CREAT|O_EXCL, fd_write, fd_seek, fd_tell, fd_read.
  int fd = open("out.txt", O_CREAT | O_EXCL | O_RDWR, 0644);
  check(fd >= 0, "create out.txt");
  check(write(fd, "hello world\n", 12) == 12, "write");
  check(lseek(fd, 0, SEEK_CUR) == 12, "tell");
  check(lseek(fd, 6, SEEK_SET) == 6, "seek set");
  char buf[64] = {0};
  check(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "read after seek");
  check(lseek(fd, -2, SEEK_END) == 10, "seek end");
  check(open("out.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) < 0 && errno == EEXIST, "excl on existing gives EEXIST");

  // fd_pread / fd_pwrite do not move the offset.
  check(pwrite(fd, "HELLO", 5, 0) == 5, "pwrite");
  memset(buf, 0, sizeof buf);
  check(pread(fd, buf, 11, 0) == 11 && strcmp(buf, "HELLO world") == 0, "pread");
  check(lseek(fd, 0, SEEK_CUR) == 10, "offset unchanged by pread/pwrite");

  // fd_filestat_get / fd_filestat_set_size / fd_allocate / fd_advise / fd_sync.
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_size == 12 && S_ISREG(st.st_mode), "fstat size 12");
  check(ftruncate(fd, 5) == 0 && fstat(fd, &st) == 0 && st.st_size == 5, "ftruncate to 5");
  check(posix_fallocate(fd, 0, 100) == 0 && fstat(fd, &st) == 0 && st.st_size == 100, "fallocate to 100");
  check(ftruncate(fd, 5) == 0, "ftruncate back to 5");
  check(posix_fadvise(fd, 0, 5, POSIX_FADV_SEQUENTIAL) == 0, "fadvise");
  check(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync");

  // fd_fdstat_get / fd_fdstat_set_flags (O_APPEND).
  check((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "fdstat read-write");
  if (strict) {
    // Node's WASI (uvwasi) does not implement fd_fdstat_set_flags.
    check(fcntl(fd, F_SETFL, O_APPEND) == 0 && (fcntl(fd, F_GETFL) & O_APPEND), "set O_APPEND");
    check(write(fd, "+tail", 5) == 5 && fstat(fd, &st) == 0 && st.st_size == 10, "append goes to the end");
  }
  check(close(fd) == 0, "close");
  check(close(fd) < 0 && errno == EBADF, "close twice gives EBADF");
  check(write(fd, "x", 1) < 0 && errno == EBADF, "write to closed fd gives EBADF");

  // O_TRUNC and O_APPEND through open.
  fd = open("out.txt", O_WRONLY | O_TRUNC);
  check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "open O_TRUNC empties");
  check(write(fd, "abc", 3) == 3, "write after trunc");
  close(fd);
  fd = open("out.txt", O_WRONLY | O_APPEND);
  check(fd >= 0 && write(fd, "def", 3) == 3, "open O_APPEND and write");
  close(fd);
  fd = open("out.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  check(fd >= 0 && read(fd, buf, sizeof buf) == 6 && strcmp(buf, "abcdef") == 0, "contents abcdef");
  check(write(fd, "x", 1) < 0, "write to read-only fd fails");
  close(fd);

  // Directories: path_create_directory, readdir with cookies, rmdir.
  check(mkdir("dir", 0755) == 0, "mkdir dir");
  check(mkdir("dir", 0755) < 0 && errno == EEXIST, "mkdir twice gives EEXIST");
  for (int i = 0; i < 40; ++i) {
    char name[64];
    snprintf(name, sizeof name, "dir/file%02d", i);
    int f = open(name, O_CREAT | O_WRONLY, 0644);
    if (f < 0) break;
    close(f);
  }
  DIR* d = opendir("dir");
  char* names[64];
  int count = 0;
  struct dirent* ent;
  while (d && (ent = readdir(d)) != NULL && count < 64) {
    if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0) continue;
    names[count++] = strdup(ent->d_name);
  }
  check(count == 40, "readdir lists 40 entries");
  qsort(names, count, sizeof(char*), cmp);
  printf("first=%s last=%s\n", count ? names[0] : "-", count ? names[count - 1] : "-");
  // Resume from a cookie (telldir/seekdir use fd_readdir cookies).
  if (d) {
    rewinddir(d);
    long pos = -1;
    int seen = 0;
    while ((ent = readdir(d)) != NULL) {
      if (++seen == 10) pos = telldir(d);
    }
    seekdir(d, pos);
    int rest = 0;
    while ((ent = readdir(d)) != NULL) ++rest;
    check(pos >= 0 && rest == seen - 10, "seekdir resumes from a cookie");
    closedir(d);
  }
  check(rmdir("dir") < 0 && errno == ENOTEMPTY, "rmdir non-empty gives ENOTEMPTY");
  for (int i = 0; i < count; ++i) {
    char name[64];
    snprintf(name, sizeof name, "dir/%s", names[i]);
    unlink(name);
    free(names[i]);
  }
  check(rmdir("dir") == 0, "rmdir empty");
  check(unlink("nope") < 0 && errno == ENOENT, "unlink missing gives ENOENT");

  // path_rename, path_unlink_file.
  check(rename("out.txt", "moved.txt") == 0, "rename");
  check(access("out.txt", F_OK) < 0 && errno == ENOENT && access("moved.txt", F_OK) == 0, "rename moved it");
  check(mkdir("sub", 0755) == 0 && rename("moved.txt", "sub/final.txt") == 0, "rename into subdir");

  // path_symlink, path_readlink, lstat vs stat (path_filestat_get flags).
  check(symlink("sub/final.txt", "link") == 0, "symlink");
  char target[64] = {0};
  check(readlink("link", target, sizeof target - 1) == 13 && strcmp(target, "sub/final.txt") == 0, "readlink");
  struct stat lst;
  check(lstat("link", &lst) == 0 && S_ISLNK(lst.st_mode), "lstat sees a symlink");
  check(stat("link", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 6, "stat follows the symlink");
  fd = open("link", O_RDONLY);
  memset(buf, 0, sizeof buf);
  check(fd >= 0 && read(fd, buf, 6) == 6 && strcmp(buf, "abcdef") == 0, "open through symlink");
  close(fd);
  check(unlink("link") == 0 && access("sub/final.txt", F_OK) == 0, "unlink symlink keeps target");

  // path_filestat_set_times, fd_filestat_set_times.
  struct timeval tv[2] = {{1000, 0}, {2000, 0}};
  check(utimes("sub/final.txt", tv) == 0, "utimes");
  check(stat("sub/final.txt", &st) == 0 && st.st_mtim.tv_sec == 2000 && st.st_atim.tv_sec == 1000, "times read back");
  fd = open("sub/final.txt", O_RDONLY);
  struct timespec ts[2] = {{3000, 0}, {4000, 0}};
  check(fd >= 0 && futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_mtim.tv_sec == 4000, "futimens");

  // fd_renumber (dup2 is not in wasi-libc: call the import directly).
  int fd2 = open("input.txt", O_RDONLY);
  check(fd2 >= 0 && __wasi_fd_renumber(fd2, fd) == 0, "fd_renumber");
  memset(buf, 0, sizeof buf);
  check(read(fd, buf, 5) == 5 && strncmp(buf, line, 5) == 0, "renumbered fd reads input.txt");
  check(close(fd2) < 0 && errno == EBADF, "old number is closed");
  close(fd);

  // fd_prestat_get / fd_prestat_dir_name.
  __wasi_prestat_t pre;
  char pname[64] = {0};
  check(__wasi_fd_prestat_get(3, &pre) == 0 && __wasi_fd_prestat_dir_name(3, (uint8_t*)pname, pre.u.dir.pr_name_len) == 0,
        "prestat of fd 3");
  printf("preopen=%s\n", pname);

  // A file that stays behind for the host to see.
  FILE* result = fopen("result.txt", "w");
  check(result && fprintf(result, "failures=%d\n", failures) > 0 && fclose(result) == 0, "write result.txt");
  printf("failures=%d\n", failures);
  return failures == 0 ? 0 : 1;
}
