#include "jobs/flight_table.h"

namespace imgflo::jobs {

void FlightTable::Completion::deliver() const {
  for (const auto& w : waiters) jobs::deliver(w.done, result);
}

FlightTable::Joined FlightTable::join_or_create(const std::string& key, const std::function<FlightPtr()>& create) {
  if (auto it = flights_.find(key); it != flights_.end()) {
    ++stats_.coalesced;
    return {it->second, false};
  }
  FlightPtr flight = create();
  if (!flight) {
    ++stats_.rejected;
    return {};
  }
  flights_[flight->key] = flight;
  return {std::move(flight), true};
}

uint64_t FlightTable::attach(const FlightPtr& flight, JobCallback done) {
  ++stats_.submitted;
  const uint64_t ticket = next_ticket_++;
  if (done) {
    flight->waiters.push_back({ticket, std::move(done)});
    tickets_[ticket] = flight;
  } else {
    flight->background_interest = true;
  }
  return ticket;
}

FlightTable::FlightPtr FlightTable::withdraw(uint64_t ticket) {
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return nullptr;
  FlightPtr flight = std::move(it->second);
  tickets_.erase(it);
  std::erase_if(flight->waiters, [&](const Waiter& w) { return w.ticket == ticket; });
  if (!flight->waiters.empty() || flight->background_interest) return nullptr;
  ++stats_.cancelled;
  return flight;
}

FlightTable::Completion FlightTable::answer(Flight& flight, Result<std::string> result) {
  Completion c{std::move(flight.waiters), std::move(result)};
  flight.waiters.clear();
  for (const auto& w : c.waiters) tickets_.erase(w.ticket);
  ++(c.result.ok() ? stats_.succeeded : stats_.failed);
  return c;
}

FlightTable::Completion FlightTable::complete(const FlightPtr& flight, Result<std::string> result) {
  Completion c = answer(*flight, std::move(result));
  erase(flight);
  return c;
}

void FlightTable::erase(const FlightPtr& flight) {
  for (const auto& w : flight->waiters) tickets_.erase(w.ticket);
  auto it = flights_.find(flight->key);
  if (it != flights_.end() && it->second == flight) flights_.erase(it);
}

FlightTable::FlightPtr FlightTable::find(const std::string& key) const {
  auto it = flights_.find(key);
  return it == flights_.end() ? nullptr : it->second;
}

std::vector<FlightTable::FlightPtr> FlightTable::all() const {
  std::vector<FlightPtr> out;
  out.reserve(flights_.size());
  for (const auto& [key, flight] : flights_) out.push_back(flight);
  return out;
}

Lane FlightTable::lane_of(uint64_t ticket) const {
  auto it = tickets_.find(ticket);
  return it == tickets_.end() ? Lane::kImage : it->second->lane;
}

}  // namespace imgflo::jobs
