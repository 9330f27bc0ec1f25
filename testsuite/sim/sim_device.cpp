#include "sim_device.h"

#include "event_messages.h"

namespace wsdsim {

SimDevice::SimDevice(Profile p, DeviceIdentity id) : profile(std::move(p)), identity(std::move(id))
{
    jobs.setObserver([this](const Job &job) { publishJobEvents(*this, job); });
}

}  // namespace wsdsim
