// tcplab's TUN addon (N-API, node-addon-api).
//
// Opens or attaches a Linux TUN device by name (IFF_TUN | IFF_NO_PI) with a non-blocking fd,
// either in the caller's network namespace or inside another one (a forked helper enters the
// namespace and passes the fd back over SCM_RIGHTS), drains the fd from a uv_poll readiness
// callback in batches into a caller-provided arena, writes batches, and answers the device's
// name, MTU, flags and IPv4 address even after the device was moved to another namespace.
//
// This is the only code in tcplab that opens /dev/net/tun (DESIGN.md 4.7). The TypeScript
// wrapper is core/link/tun.ts; it turns the raw errors thrown here into explanations.

#include <napi.h>
#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace {

// The largest packet a TUN hands out without IFF_VNET_HDR/GSO is its MTU, at most 65535; with
// the virtio-net header (offload mode) every packet carries 10 more bytes in front, and a GSO
// packet is at most 65535 bytes of IPv4.
constexpr size_t kMaxPacket = 65535;
constexpr size_t kVnetHdr = 10;  // sizeof(struct virtio_net_hdr)
constexpr size_t kMaxRead = kMaxPacket + kVnetHdr;
constexpr const char* kCloneDevice = "/dev/net/tun";

// What failed, for the error's `stage` property (the wrapper explains each one).
enum Stage : int {
  kOk = 0,
  kOpenClone,     // open("/dev/net/tun")
  kSetIff,        // ioctl(TUNSETIFF)
  kSocket,        // socket(AF_INET, SOCK_DGRAM) for the interface ioctls
  kOpenNetns,     // open(<netns path>)
  kSetnsUser,     // setns(CLONE_NEWUSER) into the namespace's owner user namespace
  kSetnsNet,      // setns(CLONE_NEWNET)
  kFork,          // fork of the namespace helper
  kHelper,        // the helper died without an answer
};

const char* StageName(int stage) {
  switch (stage) {
    case kOpenClone: return "open /dev/net/tun";
    case kSetIff: return "TUNSETIFF";
    case kSocket: return "socket";
    case kOpenNetns: return "open netns";
    case kSetnsUser: return "setns user";
    case kSetnsNet: return "setns net";
    case kFork: return "fork";
    case kHelper: return "helper";
    default: return "ok";
  }
}

std::string ErrnoName(int err) {
  if (err == EBADFD) return "EBADFD";  // libuv has no name for it
  const char* name = uv_err_name(-err);
  return name != nullptr ? std::string(name) : "E" + std::to_string(err);
}

Napi::Error SysError(Napi::Env env, int err, int stage, const std::string& device) {
  std::string message = std::string(StageName(stage)) + " failed for '" + device + "': " + strerror(err);
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, ErrnoName(err)));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("stage", Napi::String::New(env, StageName(stage)));
  e.Set("device", Napi::String::New(env, device));
  return e;
}

ino_t InodeOfPath(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_ino : 0;
}

ino_t InodeOfFd(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// Open the clone device and attach/create `name` (with the virtio-net header when `vnetHdr`).
// Returns the fd or -1 with *stage and errno set.
int OpenTunHere(const char* name, char* actualName, int* stage, bool vnetHdr) {
  int fd = open(kCloneDevice, O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *stage = kOpenClone;
    return -1;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnetHdr ? IFF_VNET_HDR : 0);
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    errno = err;
    *stage = kSetIff;
    return -1;
  }
  memcpy(actualName, ifr.ifr_name, IFNAMSIZ);
  actualName[IFNAMSIZ - 1] = '\0';
  return fd;
}

// ---- The namespace helper: a forked child that enters a network namespace (and, when it must,
// the user namespace that owns it), does the work there, and sends the fds back. After fork the
// child makes only system calls (no allocation, no locks), with every signal blocked.

struct HelperReply {
  int32_t stage;
  int32_t err;
  uint64_t netnsIno;
  char name[IFNAMSIZ];
};

[[noreturn]] void HelperFail(int sock, HelperReply* r, int stage) {
  r->stage = stage;
  r->err = errno;
  (void)send(sock, r, sizeof *r, MSG_NOSIGNAL);
  _exit(1);
}

// Enter the network namespace `nsfd`. Root (or anyone with CAP_SYS_ADMIN over it) gets in
// directly; the owner of an unprivileged user namespace first joins that user namespace, which
// only a single-threaded process may do (hence the fork).
bool HelperEnter(int nsfd, int* stage) {
  if (setns(nsfd, CLONE_NEWNET) == 0) return true;
  if (errno != EPERM) {
    *stage = kSetnsNet;
    return false;
  }
  int userns = ioctl(nsfd, NS_GET_USERNS);
  if (userns < 0 || InodeOfFd(userns) == InodeOfPath("/proc/self/ns/user")) {
    errno = EPERM;
    *stage = kSetnsNet;
    return false;
  }
  if (setns(userns, CLONE_NEWUSER) != 0) {
    *stage = kSetnsUser;
    return false;
  }
  if (setns(nsfd, CLONE_NEWNET) != 0) {
    *stage = kSetnsNet;
    return false;
  }
  return true;
}

[[noreturn]] void HelperMain(int sock, int nsfd, const char* tunName, bool vnetHdr) {
  HelperReply r;
  memset(&r, 0, sizeof r);
  int stage = kOk;
  if (!HelperEnter(nsfd, &stage)) HelperFail(sock, &r, stage);
  int fds[2] = {-1, -1};
  int count = 0;
  if (tunName != nullptr) {
    fds[count] = OpenTunHere(tunName, r.name, &stage, vnetHdr);
    if (fds[count] < 0) HelperFail(sock, &r, stage);
    count++;
  }
  fds[count] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fds[count] < 0) HelperFail(sock, &r, kSocket);
  count++;
  r.netnsIno = InodeOfFd(nsfd);

  char control[CMSG_SPACE(sizeof fds)];
  memset(control, 0, sizeof control);
  struct iovec iov = {&r, sizeof r};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int) * count);
  memcpy(CMSG_DATA(cm), fds, sizeof(int) * count);
  if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) _exit(2);
  _exit(0);
}

struct HelperResult {
  int stage = kOk;
  int err = 0;
  int fds[2] = {-1, -1};  // with a tun name: {tun, ctl}; without: {ctl, -1}
  uint64_t netnsIno = 0;
  char name[IFNAMSIZ] = {0};
};

void RunHelper(int nsfd, const char* tunName, HelperResult* out, bool vnetHdr = false) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
    out->stage = kFork;
    out->err = errno;
    return;
  }
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = _Fork();
  if (pid == 0) {
    close(sv[0]);
    HelperMain(sv[1], nsfd, tunName, vnetHdr);
  }
  int forkErr = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    out->stage = kFork;
    out->err = forkErr;
    return;
  }

  HelperReply r;
  memset(&r, 0, sizeof r);
  int fds[2] = {-1, -1};
  char control[CMSG_SPACE(sizeof fds)];
  struct iovec iov = {&r, sizeof r};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC); while (n < 0 && errno == EINTR);
  close(sv[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int received = 0;
  for (struct cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
    if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
      received = static_cast<int>((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      if (received > 2) received = 2;
      memcpy(out->fds, CMSG_DATA(cm), sizeof(int) * received);
    }
  }
  if (n != static_cast<ssize_t>(sizeof r)) {
    out->stage = kHelper;
    out->err = ECHILD;
    return;
  }
  out->stage = r.stage;
  out->err = r.err;
  out->netnsIno = r.netnsIno;
  memcpy(out->name, r.name, IFNAMSIZ);
}

void CloseIf(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

// ---- What must be released: the fds and the poll handle. It lives apart from the JS object so
// that closing can finish asynchronously (uv_close) and so that environment teardown (a worker
// ending, the process exiting) can close it through an async cleanup hook that Node waits for:
// the close callback then runs while this library is still loaded.

class Tun;

struct Handles {
  int fd = -1;
  int ctl = -1;             // an AF_INET socket in the device's namespace, for SIOCGIF* ioctls
  uint64_t ctlNetns = 0;    // inode of that namespace
  uv_poll_t poll;
  bool pollInit = false;
  bool closing = false;
  Tun* owner = nullptr;     // cleared when closing starts
  Handles** slot = nullptr; // the owner's pointer to this, cleared when closing starts
  napi_async_cleanup_hook_handle hook = nullptr;
};

void FinishClose(Handles* h) {
  if (h->hook != nullptr) napi_remove_async_cleanup_hook(h->hook);
  delete h;
}

// Idempotent. Stops polling, closes the fds, and frees `h` once libuv has let go of the handle.
void CloseHandles(Handles* h) {
  if (h->closing) return;
  h->closing = true;
  h->owner = nullptr;
  if (h->slot != nullptr) *h->slot = nullptr;
  h->slot = nullptr;
  if (h->pollInit) uv_poll_stop(&h->poll);
  CloseIf(&h->fd);
  CloseIf(&h->ctl);
  if (h->pollInit) {
    uv_close(reinterpret_cast<uv_handle_t*>(&h->poll), [](uv_handle_t* p) { FinishClose(static_cast<Handles*>(p->data)); });
  } else {
    FinishClose(h);
  }
}

void OnEnvTeardown(napi_async_cleanup_hook_handle hook, void* arg) {
  Handles* h = static_cast<Handles*>(arg);
  h->hook = hook;
  CloseHandles(h);  // when a close is already under way, its callback removes the hook
}

// ---- The device handle.

class Tun : public Napi::ObjectWrap<Tun> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Tun",
                       {
                           InstanceMethod<&Tun::Start>("start"),
                           InstanceMethod<&Tun::Stop>("stop"),
                           InstanceMethod<&Tun::Write>("write"),
                           InstanceMethod<&Tun::Info>("info"),
                           InstanceMethod<&Tun::Close>("close"),
                           InstanceMethod<&Tun::SetRef>("setRef"),
                           InstanceMethod<&Tun::Stats>("stats"),
                           InstanceAccessor<&Tun::GetFd>("fd"),
                       });
  }

  // new Tun(name: string, netnsPath: string | null, offload?: boolean)
  // offload: open with IFF_VNET_HDR (every packet read or written starts with a struct
  // virtio_net_hdr) and TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4): the kernel may then hand over TCP
  // super-segments of up to 64 KB with a partial checksum, and accepts GSO packets written to it.
  explicit Tun(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Tun>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "Tun(name, netnsPath): name must be a string");
    vnetHdr_ = info.Length() >= 3 && info[2].ToBoolean();
    std::string name = info[0].As<Napi::String>();
    if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
      throw Napi::TypeError::New(env, "Tun: invalid interface name '" + name + "' (1-15 characters, no '/')");
    }
    bool inNetns = info.Length() >= 2 && info[1].IsString();
    h_ = new Handles;
    try {
      if (inNetns) {
        OpenInNetns(env, name, info[1].As<Napi::String>());
      } else {
        OpenHere(env, name);
      }
    } catch (...) {
      CloseHandles(h_);
      h_ = nullptr;
      throw;
    }
    if (vnetHdr_ && ioctl(h_->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4) < 0) {
      int err = errno;
      CloseHandles(h_);
      h_ = nullptr;
      Napi::Error e = SysError(env, err, kSetIff, name);
      e.Set("stage", Napi::String::New(env, "TUNSETOFFLOAD"));
      throw e;
    }
    h_->owner = this;
    h_->slot = &h_;
    napi_add_async_cleanup_hook(env, &OnEnvTeardown, h_, &h_->hook);
  }

  ~Tun() override { Release(); }

 private:
  void OpenHere(Napi::Env env, const std::string& name) {
    int stage = kOk;
    char actual[IFNAMSIZ];
    h_->fd = OpenTunHere(name.c_str(), actual, &stage, vnetHdr_);
    if (h_->fd < 0) throw SysError(env, errno, stage, name);
    h_->ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (h_->ctl < 0) throw SysError(env, errno, kSocket, name);
    h_->ctlNetns = InodeOfPath("/proc/thread-self/ns/net");
    name_ = actual;
  }

  void OpenInNetns(Napi::Env env, const std::string& name, const std::string& path) {
    int nsfd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0) throw SysError(env, errno, kOpenNetns, name);
    HelperResult res;
    RunHelper(nsfd, name.c_str(), &res, vnetHdr_);
    close(nsfd);
    if (res.stage != kOk || res.fds[0] < 0 || res.fds[1] < 0) {
      CloseIf(&res.fds[0]);
      CloseIf(&res.fds[1]);
      throw SysError(env, res.err != 0 ? res.err : EPROTO, res.stage != kOk ? res.stage : kHelper, name);
    }
    h_->fd = res.fds[0];
    h_->ctl = res.fds[1];
    h_->ctlNetns = res.netnsIno;
    name_ = res.name;
  }

  // Let go of the fds and the poll handle (they finish closing on their own; h_ becomes null).
  void Release() {
    if (h_ != nullptr) CloseHandles(h_);
  }

  // Open: closed neither by us nor by environment teardown (which clears h_ too).
  bool IsOpen() const { return h_ != nullptr; }

  void RequireOpen(Napi::Env env) {
    if (!IsOpen()) throw Napi::Error::New(env, "TUN '" + name_ + "' is closed");
  }

  // start(arena: Uint8Array, lengths: Int32Array, maxBatch: number, onBatch: (n) => void, onError: (e) => void)
  Napi::Value Start(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env);
    if (info.Length() < 5 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber() ||
        !info[3].IsFunction() || !info[4].IsFunction()) {
      throw Napi::TypeError::New(env, "start(arena: Uint8Array, lengths: Int32Array, maxBatch, onBatch, onError)");
    }
    auto arena = info[0].As<Napi::TypedArray>();
    auto lengths = info[1].As<Napi::TypedArray>();
    if (arena.TypedArrayType() != napi_uint8_array || lengths.TypedArrayType() != napi_int32_array) {
      throw Napi::TypeError::New(env, "start: arena must be a Uint8Array and lengths an Int32Array");
    }
    int maxBatch = info[2].As<Napi::Number>().Int32Value();
    if (arena.ByteLength() < kMaxRead) throw Napi::RangeError::New(env, "start: arena must hold at least 65545 bytes");
    if (maxBatch < 1 || static_cast<size_t>(maxBatch) > lengths.ElementLength()) {
      throw Napi::RangeError::New(env, "start: maxBatch must be between 1 and lengths.length");
    }
    arenaRef_ = Napi::Persistent(info[0].As<Napi::Object>());
    lengthsRef_ = Napi::Persistent(info[1].As<Napi::Object>());
    arena_ = static_cast<uint8_t*>(arena.As<Napi::Uint8Array>().Data());
    arenaSize_ = arena.ByteLength();
    lengths_ = lengths.As<Napi::Int32Array>().Data();
    maxBatch_ = maxBatch;
    onBatch_ = Napi::Persistent(info[3].As<Napi::Function>());
    onError_ = Napi::Persistent(info[4].As<Napi::Function>());
    if (!async_) async_.reset(new Napi::AsyncContext(env, "tcplab:tun"));

    if (!h_->pollInit) {
      uv_loop_t* loop = nullptr;
      napi_get_uv_event_loop(env, &loop);
      int rc = uv_poll_init(loop, &h_->poll, h_->fd);
      if (rc != 0) throw Napi::Error::New(env, std::string("uv_poll_init: ") + uv_strerror(rc));
      h_->pollInit = true;
      h_->poll.data = h_;
      if (!refed_) uv_unref(reinterpret_cast<uv_handle_t*>(&h_->poll));
    }
    int rc = uv_poll_start(&h_->poll, UV_READABLE, &Tun::OnPoll);
    if (rc != 0) throw Napi::Error::New(env, std::string("uv_poll_start: ") + uv_strerror(rc));
    if (!polling_) {
      polling_ = true;
      Ref();  // a receiving device stays alive (like a listening socket) until stop() or close()
    }
    return env.Undefined();
  }

  void StopPolling() {
    if (IsOpen() && h_->pollInit) uv_poll_stop(&h_->poll);
    if (polling_) {
      polling_ = false;
      Unref();
    }
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    StopPolling();
    return info.Env().Undefined();
  }

  static void OnPoll(uv_poll_t* handle, int status, int /*events*/) {
    Handles* h = static_cast<Handles*>(handle->data);
    Tun* self = h->owner;
    if (self == nullptr || h->closing || !self->polling_) return;
    self->Drain(status);
  }

  // Read up to maxBatch packets (while the arena has room for a maximal one), hand them to JS.
// Packet i starts at the sum of the earlier lengths, each rounded up to a multiple of 8.
  void Drain(int status) {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    int n = 0;
    size_t off = 0;
    int err = 0;
    int fd = h_->fd;
    while (n < maxBatch_ && arenaSize_ - off >= kMaxRead) {
      ssize_t r = read(fd, arena_ + off, kMaxRead);
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        break;
      }
      lengths_[n++] = static_cast<int32_t>(r);
      // Each packet starts 8-byte aligned (the wrapper steps the same way), so checksums over
      // it take the word-at-a-time path (core/wire/checksum.ts needs an even offset).
      off += (static_cast<size_t>(r) + 7) & ~static_cast<size_t>(7);
      rxBytes_ += static_cast<uint64_t>(r);
    }
    if (err == 0 && status < 0 && n == 0) err = -status == EBADF ? EBADFD : -status;
    if (n > 0) {
      rxPackets_ += static_cast<uint64_t>(n);
      rxBatches_++;
      Call(onBatch_, {Napi::Number::New(env, n)});
    }
    if (err != 0 && IsOpen() && polling_) {
      StopPolling();
      Napi::Error e = SysError(env, err, kOk, name_);
      e.Set("stage", Napi::String::New(env, "read"));
      e.Set("message", Napi::String::New(env, "read from TUN '" + name_ + "' failed: " + strerror(err)));
      Call(onError_, {e.Value()});
    }
  }

  // Call into JS from a libuv callback; an exception there becomes an uncaught exception.
  void Call(Napi::FunctionReference& fn, const std::initializer_list<napi_value>& args) {
    if (fn.IsEmpty()) return;
    try {
      fn.MakeCallback(Value(), args, *async_);
    } catch (const Napi::Error& e) {
      napi_fatal_exception(Env(), e.Value());
    }
  }

  // write(arena: Uint8Array, lengths: Int32Array, count: number): number of packets written.
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env);
    if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber()) {
      throw Napi::TypeError::New(env, "write(arena: Uint8Array, lengths: Int32Array, count)");
    }
    auto arena = info[0].As<Napi::Uint8Array>();
    auto lengths = info[1].As<Napi::Int32Array>();
    int count = info[2].As<Napi::Number>().Int32Value();
    if (count < 0 || static_cast<size_t>(count) > lengths.ElementLength()) {
      throw Napi::RangeError::New(env, "write: count out of range");
    }
    const uint8_t* base = arena.Data();
    size_t size = arena.ByteLength();
    size_t off = 0;
    int written = 0;
    for (int i = 0; i < count; i++) {
      size_t len = static_cast<size_t>(lengths[i]);
      if (off + len > size) throw Napi::RangeError::New(env, "write: lengths exceed the arena");
      ssize_t r;
      do r = write(h_->fd, base + off, len); while (r < 0 && errno == EINTR);
      if (r < 0) {
        txErrors_++;
        lastTxErrno_ = errno;
      } else {
        written++;
        txBytes_ += static_cast<uint64_t>(r);
      }
      off += len;
    }
    txPackets_ += static_cast<uint64_t>(written);
    return Napi::Number::New(env, written);
  }

  // The namespace the device lives in now (root may have moved it since we opened it). When it
  // is not where our control socket is, make a new control socket there.
  void FollowDevice(Napi::Env env) {
    int nsfd = ioctl(h_->fd, TUNGETDEVNETNS);
    if (nsfd < 0) return;  // EPERM without CAP_NET_ADMIN there, EINVAL before Linux 5.2: keep ours
    uint64_t ino = InodeOfFd(nsfd);
    if (ino != 0 && ino != h_->ctlNetns) {
      HelperResult res;
      RunHelper(nsfd, nullptr, &res);
      if (res.stage == kOk && res.fds[0] >= 0) {
        CloseIf(&h_->ctl);
        h_->ctl = res.fds[0];
        h_->ctlNetns = res.netnsIno;
      } else {
        CloseIf(&res.fds[0]);
        close(nsfd);
        throw SysError(env, res.err != 0 ? res.err : EPROTO, res.stage != kOk ? res.stage : kHelper, name_);
      }
    }
    close(nsfd);
  }

  // info(): { name, mtu, flags, up, running, ipv4, prefixLength, netnsInode }
  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    RequireOpen(env);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (ioctl(h_->fd, TUNGETIFF, &ifr) < 0) throw SysError(env, errno, kSetIff, name_);
    name_ = std::string(ifr.ifr_name, strnlen(ifr.ifr_name, IFNAMSIZ));
    FollowDevice(env);

    Napi::Object out = Napi::Object::New(env);
    out.Set("name", name_);
    out.Set("netnsInode", Napi::Number::New(env, static_cast<double>(h_->ctlNetns)));
    int ctl = h_->ctl;
    if (ioctl(ctl, SIOCGIFMTU, &ifr) < 0) throw SysError(env, errno, kSocket, name_);
    out.Set("mtu", ifr.ifr_mtu);
    if (ioctl(ctl, SIOCGIFFLAGS, &ifr) < 0) throw SysError(env, errno, kSocket, name_);
    out.Set("flags", static_cast<int>(ifr.ifr_flags));
    out.Set("up", (ifr.ifr_flags & IFF_UP) != 0);
    out.Set("running", (ifr.ifr_flags & IFF_RUNNING) != 0);
    out.Set("ipv4", env.Null());
    out.Set("prefixLength", env.Null());
    if (ioctl(ctl, SIOCGIFADDR, &ifr) == 0) {
      auto* sin = reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_addr);
      out.Set("ipv4", Napi::Number::New(env, ntohl(sin->sin_addr.s_addr)));
      if (ioctl(ctl, SIOCGIFNETMASK, &ifr) == 0) {
        uint32_t mask = ntohl(reinterpret_cast<struct sockaddr_in*>(&ifr.ifr_netmask)->sin_addr.s_addr);
        out.Set("prefixLength", Napi::Number::New(env, __builtin_popcount(mask)));
      }
    }
    return out;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    StopPolling();
    Release();
    onBatch_.Reset();
    onError_.Reset();
    arenaRef_.Reset();
    lengthsRef_.Reset();
    return info.Env().Undefined();
  }

  // setRef(boolean): whether a receiving device keeps the event loop alive.
  Napi::Value SetRef(const Napi::CallbackInfo& info) {
    refed_ = info.Length() < 1 || info[0].ToBoolean();
    if (IsOpen() && h_->pollInit) {
      if (refed_) {
        uv_ref(reinterpret_cast<uv_handle_t*>(&h_->poll));
      } else {
        uv_unref(reinterpret_cast<uv_handle_t*>(&h_->poll));
      }
    }
    return info.Env().Undefined();
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("rxPackets", static_cast<double>(rxPackets_));
    out.Set("rxBytes", static_cast<double>(rxBytes_));
    out.Set("rxBatches", static_cast<double>(rxBatches_));
    out.Set("txPackets", static_cast<double>(txPackets_));
    out.Set("txBytes", static_cast<double>(txBytes_));
    out.Set("txErrors", static_cast<double>(txErrors_));
    out.Set("lastTxError", lastTxErrno_ != 0 ? Napi::Value(Napi::String::New(env, ErrnoName(lastTxErrno_))) : env.Null());
    return out;
  }

  Napi::Value GetFd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), IsOpen() ? h_->fd : -1); }

  Handles* h_ = nullptr;
  bool vnetHdr_ = false;
  std::string name_;
  bool polling_ = false;
  bool refed_ = true;
  Napi::ObjectReference arenaRef_, lengthsRef_;
  uint8_t* arena_ = nullptr;
  size_t arenaSize_ = 0;
  int32_t* lengths_ = nullptr;
  int maxBatch_ = 0;
  Napi::FunctionReference onBatch_, onError_;
  std::unique_ptr<Napi::AsyncContext> async_;
  uint64_t rxPackets_ = 0, rxBytes_ = 0, rxBatches_ = 0, txPackets_ = 0, txBytes_ = 0, txErrors_ = 0;
  int lastTxErrno_ = 0;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Tun", Tun::Define(env));
  exports.Set("maxPacket", Napi::Number::New(env, kMaxPacket));
  exports.Set("vnetHdrLength", Napi::Number::New(env, kVnetHdr));
  return exports;
}

}  // namespace

NODE_API_MODULE(tcplab_tun, Init)
