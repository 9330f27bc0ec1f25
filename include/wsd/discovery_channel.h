// The backend's WS-Discovery sockets: one ephemeral-port socket per address
// family (probes and resolves out, their answers in, directed probes) and,
// with multicast on, the shared port-3702 listeners that hear Hello and Bye
// on the chosen interfaces.
#pragma once

#include "wsd/config.h"
#include "wsd/discovery_socket.h"

#include <string>
#include <vector>

namespace wsd::discovery {

class Channel {
public:
    // Opens what it can and logs what it cannot; never fails as a whole.
    void open(const Config &config);
    // Whether there is an interface to multicast on.
    bool canMulticast() const { return !interfaces_.empty(); }
    // To the discovery group on every chosen interface, both families.
    void multicast(const std::string &text, const char *what);
    // A directed datagram from the sender of the address's family.
    bool sendTo(const std::string &text, const SocketAddress &to);
    // Every socket, for poll().
    std::vector<UdpSocket *> sockets();

private:
    std::vector<NetInterface> interfaces_;
    std::vector<UdpSocket> senders_;    // ephemeral port, one per family: probes out, answers in
    std::vector<UdpSocket> listeners_;  // port 3702 shared: Hello and Bye
};

}  // namespace wsd::discovery
